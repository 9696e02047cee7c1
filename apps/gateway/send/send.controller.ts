import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { SendService, type SendResponse } from './send.service';

@Controller()
export class SendController {
  constructor(private readonly sends: SendService) {}

  /** Courier's `POST /send`: 202 once the delivery workflow has started. */
  @Post('send')
  @HttpCode(202)
  send(@Body() body: unknown): Promise<SendResponse> {
    return this.sends.send(body);
  }
}
