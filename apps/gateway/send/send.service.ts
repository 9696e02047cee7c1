import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Client } from '@temporalio/client';
import { formatMessageId } from '../../../domain/ids';
import { messageIdentity, type SendMessageInput } from '../../../domain/message';
import { TASK_QUEUE } from '../../../domain/task-queues';
import type { HeraldMessageLog } from '../../../db/message-log';
import { describeAudience, type FanOutInput } from '../../../domain/audience';
import { fanOutMessage } from '../../../workflows/fan-out-message.workflow';
import { sendMessage } from '../../../workflows/send-message.workflow';
import type { Logger } from '../../common/logger';
import { BadRequest } from '../errors/api-error';
import { badRequestFromZod } from '../errors/zod-error';
import type { GatewayConfig } from '../config';
import { startUnlessStarted } from '../temporal/start-workflow';
import { currentIdempotencyClaim, idempotentMessageId } from '../idempotency/context';
import { GATEWAY_CONFIG, LOGGER, MESSAGE_LOG, TEMPORAL_CLIENT } from '../tokens';
import { InvalidSend, normaliseLegacy, normaliseMessage, type NormalisedSend } from '../../../domain/normalise-send';
import { legacyListSendSchema, legacySendRequestSchema, sendRequestSchema } from '../../../domain/send-request.schema';

export type SendResponse = { requestId: string } | { messageId: string };

/** Starts one `sendMessage` workflow per accepted send; the message id is the workflow id. */
@Injectable()
export class SendService {
  constructor(
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
    @Inject(MESSAGE_LOG) private readonly messageLog: HeraldMessageLog,
    @Inject(LOGGER) private readonly log: Logger,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  async send(body: unknown): Promise<SendResponse> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new BadRequest('the request body must be a JSON object');
    }
    const { claim, messageId } = this.newMessageId();
    if (!('message' in body)) {
      // The classic v5 SDK posts a legacy body when called without `message`, and expects `messageId` back.
      const legacy = legacySendRequestSchema.safeParse(body);
      if (!legacy.success) throw badRequestFromZod(legacy.error);
      await this.start(
        {
          kind: 'single',
          input: accepted(() =>
            normaliseLegacy(legacy.data, messageId, Date.now(), { routing: this.config.defaultRouting }),
          ),
        },
        claim !== undefined,
      );
      return { messageId };
    }
    const parsed = sendRequestSchema.safeParse(body);
    if (!parsed.success) throw badRequestFromZod(parsed.error);
    await this.start(
      accepted(() =>
        normaliseMessage(parsed.data.message, messageId, Date.now(), { routing: this.config.defaultRouting }),
      ),
      claim !== undefined,
    );
    return { requestId: messageId };
  }

  async sendList(body: unknown): Promise<{ messageId: string }> {
    const parsed = legacyListSendSchema.safeParse(body);
    if (!parsed.success) throw badRequestFromZod(parsed.error);
    const { event, list, pattern, data } = parsed.data;
    if ((list === undefined) === (pattern === undefined)) throw new BadRequest('give exactly one of list or pattern');
    const { claim, messageId } = this.newMessageId();
    const to = list !== undefined ? { list_id: list } : { list_pattern: pattern as string };
    const send = accepted(() =>
      normaliseMessage({ to, template: event, data }, messageId, Date.now(), { routing: this.config.defaultRouting }),
    );
    await this.start(send, claim !== undefined);
    return { messageId };
  }

  /**
   * Under an Idempotency-Key the id is derived from the key, so a duplicate that got past the key store still
   * names the same workflow, which Temporal refuses to start twice.
   */
  private newMessageId() {
    const claim = currentIdempotencyClaim();
    const messageId = claim ? idempotentMessageId(claim) : formatMessageId(Date.now(), randomBytes(12).toString('hex'));
    return { claim, messageId };
  }

  private async start(send: NormalisedSend, idempotent: boolean): Promise<void> {
    if (send.kind === 'fan-out') return this.startFanOut(send.input, idempotent);
    const input = send.input;
    // The same idempotent send may have started this message already: it is accepted, answer with its id.
    await startUnlessStarted(
      () =>
        this.client.workflow.start(sendMessage, {
          workflowId: input.messageId,
          taskQueue: TASK_QUEUE,
          args: [input],
          staticSummary: `${input.template ?? 'inline content'} to ${input.to.user_id ?? 'an ad hoc recipient'}`,
          workflowIdConflictPolicy: 'FAIL',
          // An idempotent id must never get a second run, not even after the first one has finished.
          ...(idempotent ? { workflowIdReusePolicy: 'REJECT_DUPLICATE' as const } : {}),
        }),
      idempotent,
    );
    // After the start, not before: a failed start must leave no record behind. If this write fails the
    // workflow's own updates create the record, so the send is not lost; it only shows up a moment later.
    try {
      await this.messageLog.recordEnqueued(messageIdentity(input));
    } catch (error) {
      this.log.warn({ err: error, messageId: input.messageId }, 'could not record ENQUEUED; the workflow will');
    }
  }

  /** A send to a list, list pattern or tenant: one `fanOutMessage` under the request id starts every message. */
  private async startFanOut(input: FanOutInput, idempotent: boolean): Promise<void> {
    await startUnlessStarted(
      () =>
        this.client.workflow.start(fanOutMessage, {
          workflowId: input.requestId,
          taskQueue: TASK_QUEUE,
          args: [input],
          staticSummary: `${input.message.template ?? 'inline content'} to ${describeAudience(input.audience)}`,
          workflowIdConflictPolicy: 'FAIL',
          ...(idempotent ? { workflowIdReusePolicy: 'REJECT_DUPLICATE' as const } : {}),
        }),
      idempotent,
    );
  }
}

/** Runs a normalisation, turning a refused send into the API's 400. */
function accepted<T>(normalise: () => T): T {
  try {
    return normalise();
  } catch (error) {
    if (error instanceof InvalidSend) throw new BadRequest(error.message);
    throw error;
  }
}
