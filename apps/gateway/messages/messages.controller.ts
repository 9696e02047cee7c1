import { Controller, Get, Inject, Param } from '@nestjs/common';
import type { MessageRecord } from '../../../domain/message';
import type { HeraldMessageLog } from '../../../db/message-log';
import { NotFound } from '../errors/api-error';
import { MESSAGE_LOG } from '../tokens';

@Controller('messages')
export class MessagesController {
  constructor(@Inject(MESSAGE_LOG) private readonly messageLog: HeraldMessageLog) {}

  /** Courier's `GET /messages/{id}`, read from the message log rather than from Temporal. */
  @Get(':id')
  async get(@Param('id') id: string): Promise<MessageRecord> {
    const record = await this.messageLog.get(id);
    if (!record) throw new NotFound(`message ${id} not found`);
    return record;
  }
}
