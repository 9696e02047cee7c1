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

  /** The classic v5 SDK's `lists.send`: a template sent to a list or list pattern; answers `{messageId}`. */
  @Post('send/list')
  @HttpCode(202)
  sendList(@Body() body: unknown): Promise<{ messageId: string }> {
    return this.sends.sendList(body);
  }
}
