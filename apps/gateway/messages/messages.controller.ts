import { Controller, Get, Headers, Inject, Param, Query } from '@nestjs/common';
import type { MessageRecord } from '../../../domain/message';
import type { HeraldMessageLog } from '../../../db/message-log';
import { NotFound } from '../errors/api-error';
import { MESSAGE_LOG } from '../tokens';
import {
  MESSAGE_PAGE_SIZE,
  parseHistoryQuery,
  parseMessageListQuery,
  sentByClassicClient,
  type RawQuery,
} from './message-query';
import {
  historyView,
  messageListView,
  outputView,
  type MessageListView,
  type MessageOutputView,
} from './message-views';

/** Courier's messages API, read from the message log rather than from Temporal. */
@Controller('messages')
export class MessagesController {
  constructor(@Inject(MESSAGE_LOG) private readonly messageLog: HeraldMessageLog) {}

  /** `GET /messages`: filtered, newest first, in pages of `MESSAGE_PAGE_SIZE`. */
  @Get()
  async list(@Query() query: RawQuery, @Headers('user-agent') userAgent?: string): Promise<MessageListView> {
    const { filter, after } = parseMessageListQuery(query, { doubleEncoded: sentByClassicClient(userAgent) });
    return messageListView(await this.messageLog.list(filter, { after, limit: MESSAGE_PAGE_SIZE }));
  }

  @Get(':id')
  async get(@Param('id') id: string): Promise<MessageRecord> {
    const record = await this.messageLog.get(id);
    if (!record) throw new NotFound(`message ${id} not found`);
    return record;
  }

  @Get(':id/history')
  async history(@Param('id') id: string, @Query() query: RawQuery, @Headers('user-agent') userAgent?: string) {
    const { types } = parseHistoryQuery(query, { doubleEncoded: sentByClassicClient(userAgent) });
    const events = await this.messageLog.history(id, types);
    if (!events) throw new NotFound(`message ${id} not found`);
    return historyView(events);
  }

  @Get(':id/output')
  async output(@Param('id') id: string): Promise<MessageOutputView> {
    const outputs = await this.messageLog.outputs(id);
    if (!outputs) throw new NotFound(`message ${id} not found`);
    return outputView(outputs);
  }
}
