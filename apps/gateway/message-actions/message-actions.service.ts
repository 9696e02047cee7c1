import { Inject, Injectable } from '@nestjs/common';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { SendMessageInput } from '../../../domain/message';
import { TASK_QUEUE } from '../../../domain/task-queues';
import type { MessageRecord } from '../../../domain/message';
import type { HeraldMessageLog } from '../../../db/message-log';
import { cancelMessageUpdate, sendMessage } from '../../../workflows/send-message.workflow';
import type { Logger } from '../../common/logger';
import { ApiError, NotFound } from '../errors/api-error';
import { LOGGER, MESSAGE_LOG, TEMPORAL_CLIENT } from '../tokens';

export type CanceledMessage = MessageRecord & { canceledAt: number };

export interface RetryStarted {
  requestId: string;
  runId: string;
  attempt: number;
}

/** Too late: the answer carries the message as it is, and v7 SDKs must not retry it (they retry every 409). */
function tooLate(record: MessageRecord): ApiError {
  const message = `message ${record.id} can no longer be canceled (status ${record.status})`;
  return new ApiError(409, message, 'invalid_request_error', { 'x-should-retry': 'false' }, record);
}

/** Operator actions on one message: cancel (Courier's), and later retry (Herald's). */
@Injectable()
export class MessageActionsService {
  constructor(
    @Inject(TEMPORAL_CLIENT) private readonly temporal: Client,
    @Inject(MESSAGE_LOG) private readonly messageLog: HeraldMessageLog,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /** Asks the workflow (an Update, so the answer is synchronous) and records CANCELED when it agreed. */
  async cancel(id: string): Promise<CanceledMessage> {
    const record = await this.messageLog.get(id);
    if (!record) throw new NotFound(`message ${id} not found`);
    let result;
    try {
      result = await this.temporal.workflow.getHandle(id).executeUpdate(cancelMessageUpdate);
    } catch (error) {
      // A finished workflow takes no updates: whatever it ended as, it is too late.
      this.log.debug({ err: error, messageId: id }, 'cancel update refused');
      throw tooLate((await this.messageLog.get(id)) ?? record);
    }
    if (!result.canceled) throw tooLate((await this.messageLog.get(id)) ?? record);
    const canceledAt = Date.now();
    const updated = await this.messageLog.apply(record, { at: canceledAt, status: 'CANCELED' });
    return { ...updated, canceledAt };
  }

  /**
   * Delivers an UNDELIVERABLE message again: a new run of the same workflow id (its earlier runs stay in Temporal,
   * its earlier attempts in the message log), with the original input minus any delay. The record is reopened
   * first, because once the new run starts its updates must not meet a final status.
   */
  async retry(id: string): Promise<RetryStarted> {
    const record = await this.messageLog.get(id);
    if (!record) throw new NotFound(`message ${id} not found`);
    if (record.status !== 'UNDELIVERABLE') {
      const message = `only UNDELIVERABLE messages can be retried; ${id} is ${record.status}`;
      throw new ApiError(409, message, 'invalid_request_error', { 'x-should-retry': 'false' });
    }
    const input = await this.originalInput(id);
    const attempt = (input.attempt ?? 1) + 1;
    await this.messageLog.apply(record, { at: Date.now(), reopen: true });
    try {
      const handle = await this.temporal.workflow.start(sendMessage, {
        workflowId: id,
        taskQueue: TASK_QUEUE,
        args: [{ ...input, delay: undefined, attempt }],
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        staticSummary: `retry ${attempt} of ${id}`,
      });
      return { requestId: id, runId: handle.firstExecutionRunId, attempt };
    } catch (error) {
      // Put the record back as it was, so the failed retry leaves nothing half-done.
      await this.messageLog.apply(
        { ...record },
        { at: Date.now(), status: 'UNDELIVERABLE', reason: record.reason, error: record.error },
      );
      throw error;
    }
  }

  /** The input the message's latest run started with, read back from its history. */
  private async originalInput(id: string): Promise<SendMessageInput> {
    const history = await this.temporal.workflow.getHandle(id).fetchHistory();
    const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    if (!payload) throw new ApiError(409, `message ${id} has no workflow input to retry`, 'invalid_request_error');
    return defaultPayloadConverter.fromPayload<SendMessageInput>(payload);
  }
}
