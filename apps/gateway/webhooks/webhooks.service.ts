import { Inject, Injectable } from '@nestjs/common';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { HeraldMessageLog } from '../../../db/message-log';
import { providerReportSignal } from '../../../workflows/send-message.workflow';
import type { Logger } from '../../common/logger';
import type { GatewayConfig } from '../config';
import { BadRequest } from '../errors/api-error';
import { GATEWAY_CONFIG, LOGGER, MESSAGE_LOG, TEMPORAL_CLIENT } from '../tokens';
import { sendGridEvent, twilioEvent, type ProviderEvent } from './provider-events';
import { verifySendGridSignature, verifyTwilioSignature } from './webhook-verification';

export interface WebhookRequest {
  url: string;
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, unknown>;
  body: unknown;
  rawBody?: Buffer;
}

/**
 * Provider webhooks: verify the signature, record the event in the message log, and tell the running workflow.
 * A finished workflow has nothing to tell, but the log is still updated (a late open or click).
 */
@Injectable()
export class WebhooksService {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(TEMPORAL_CLIENT) private readonly temporal: Client,
    @Inject(MESSAGE_LOG) private readonly messageLog: HeraldMessageLog,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async twilio(request: WebhookRequest): Promise<void> {
    const params = (request.body ?? {}) as Record<string, string>;
    verifyTwilioSignature(
      this.config.twilioAuthToken,
      request.headers,
      `${this.config.publicUrl}${request.url}`,
      params,
    );
    const messageId = request.query.message_id;
    if (typeof messageId !== 'string') throw new BadRequest('message_id is missing from the callback URL');
    const event = twilioEvent(messageId, params);
    if (event) await this.apply(event);
  }

  async sendgrid(request: WebhookRequest): Promise<void> {
    verifySendGridSignature(this.config.sendgridWebhookPublicKey, request.headers, request.rawBody, Date.now());
    if (!Array.isArray(request.body)) throw new BadRequest('a SendGrid event batch is a JSON array');
    for (const item of request.body) {
      const event =
        typeof item === 'object' && item !== null ? sendGridEvent(item as Record<string, unknown>) : undefined;
      if (event) await this.apply(event);
    }
  }

  private async apply(event: ProviderEvent): Promise<void> {
    const record = await this.messageLog.get(event.messageId);
    // Unknown ids (another system's mail, a purged message) are acknowledged so the provider stops retrying.
    if (!record) return;
    await this.messageLog.apply(record, { ...event.update, at: Date.now() });
    if (!event.report) return;
    try {
      await this.temporal.workflow.getHandle(event.messageId).signal(providerReportSignal, event.report);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return; // finished: the log update above is all there is to do
      this.log.error({ err: error, messageId: event.messageId }, 'could not signal the workflow');
      throw error; // a 5xx makes the provider retry later
    }
  }
}
