import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { MessageActionsService, type CanceledMessage, type RetryStarted } from './message-actions.service';

@Controller('messages')
export class MessageActionsController {
  constructor(private readonly actions: MessageActionsService) {}

  /** Courier's `POST /messages/{id}/cancel`: 200 with the CANCELED message, or 409 with it when too late. */
  @Post(':id/cancel')
  @HttpCode(200)
  cancel(@Param('id') id: string): Promise<CanceledMessage> {
    return this.actions.cancel(id);
  }

  /** Herald's `POST /messages/{id}/retry`: delivers an UNDELIVERABLE message again (202), keeping its history. */
  @Post(':id/retry')
  @HttpCode(202)
  retry(@Param('id') id: string): Promise<RetryStarted> {
    return this.actions.retry(id);
  }
}
