import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Public } from '../auth/api-key.guard';
import { WebhooksService, type WebhookRequest } from './webhooks.service';

function asWebhookRequest(request: FastifyRequest & { rawBody?: Buffer }): WebhookRequest {
  return {
    url: request.url,
    headers: request.headers,
    query: request.query as Record<string, unknown>,
    body: request.body,
    rawBody: request.rawBody,
  };
}

/** Provider webhooks: authenticated by the provider's signature, not by an API key. */
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Public()
  @Post('twilio')
  @HttpCode(204)
  async twilio(@Req() request: FastifyRequest): Promise<void> {
    await this.webhooks.twilio(asWebhookRequest(request));
  }

  @Public()
  @Post('sendgrid')
  @HttpCode(204)
  async sendgrid(@Req() request: FastifyRequest): Promise<void> {
    await this.webhooks.sendgrid(asWebhookRequest(request));
  }
}
