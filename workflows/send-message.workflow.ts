import {
  ActivityFailure,
  ApplicationFailure,
  defineQuery,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ProviderKey } from '../domain/channels';
import { pollDelay, trackingWindowMs } from '../domain/delivery-tracking';
import { messageIdentity, type MessageContent, type MessageIdentity, type SendMessageInput } from '../domain/message';
import { planRouting, type ChannelStep, type PlanStep } from '../domain/routing';
import { advanceStatus, MessageReason, type MessageStatus } from '../domain/status';
import { bookkeeping, providerCall, statusPoll } from './activity-profiles';

const { deliverMessage } = proxyActivities<Activities>(providerCall);
const { recordAttemptFailure, recordMessageOutcome } = proxyLocalActivities<Activities>(bookkeeping);
const { checkDeliveryStatus } = proxyLocalActivities<Activities>(statusPoll);

/** The message's status as this workflow knows it; the message log has the full record. */
export const messageStatusQuery = defineQuery<MessageStatus>('messageStatus');

export interface SendMessageResult {
  status: MessageStatus;
  reason?: MessageReason;
}

/** Why one provider attempt did not deliver: refused or failing (PROVIDER_ERROR), or reported undelivered (FAILED). */
interface Failure {
  reason: typeof MessageReason.PROVIDER_ERROR | typeof MessageReason.FAILED;
  error: string;
}

/** Everything one routing step needs besides the step itself. */
interface Delivery {
  input: SendMessageInput;
  identity: MessageIdentity;
  content: MessageContent;
  failures: Failure[];
  observe(status: MessageStatus): void;
}

/**
 * Delivers one message to one recipient: plans the route, sends through providers with failover, follows
 * delivery where the provider reports it, and records every step in the message log.
 */
export async function sendMessage(input: SendMessageInput): Promise<SendMessageResult> {
  let status: MessageStatus = 'ENQUEUED';
  setHandler(messageStatusQuery, () => status);

  const identity = messageIdentity(input);
  const finish = async (result: SendMessageResult, error?: string): Promise<SendMessageResult> => {
    status = result.status;
    await recordMessageOutcome({ identity, ...result, error });
    return result;
  };

  if (!input.content) {
    return finish({ status: 'UNMAPPED' }, `template ${input.template ?? ''} is not known`);
  }
  const plan = planRouting(input.routing, input.to);
  if (!plan.routable) return finish({ status: 'UNROUTABLE', reason: plan.reason }, plan.detail);

  const delivery: Delivery = {
    input,
    identity,
    content: input.content,
    failures: [],
    observe: (next) => void (status = advanceStatus(status, next)),
  };
  const delivered = await runSteps(plan.method, plan.steps, delivery);
  if (delivered) return { status };
  const last = delivery.failures[delivery.failures.length - 1];
  const error = delivery.failures.map((f) => f.error).join('; ');
  return finish({ status: 'UNDELIVERABLE', reason: last?.reason ?? MessageReason.FAILED }, error || undefined);
}

/** `single`: the first step that delivers wins. `all`: every step runs in parallel; any delivery counts. */
async function runSteps(method: 'single' | 'all', steps: PlanStep[], delivery: Delivery): Promise<boolean> {
  if (method === 'all') {
    const results = await Promise.all(steps.map((step) => runStep(step, delivery)));
    return results.some(Boolean);
  }
  for (const step of steps) {
    if (await runStep(step, delivery)) return true;
  }
  return false;
}

function runStep(step: PlanStep, delivery: Delivery): Promise<boolean> {
  return step.kind === 'group' ? runSteps(step.method, step.steps, delivery) : runChannel(step, delivery);
}

/** Tries the channel's providers in order; a provider that fails for good hands over to the next. */
async function runChannel(step: ChannelStep, delivery: Delivery): Promise<boolean> {
  for (const provider of step.providers) {
    const failure = await deliverThrough(step, provider, delivery);
    if (failure === undefined) return true;
    delivery.failures.push(failure);
    await recordAttemptFailure({ identity: delivery.identity, channel: step.channel, provider, error: failure.error });
  }
  return false;
}

/** Sends through one provider and follows the message until the provider gives a final answer. */
async function deliverThrough(
  step: ChannelStep,
  provider: ProviderKey,
  delivery: Delivery,
): Promise<Failure | undefined> {
  const { input, identity } = delivery;
  let receipt;
  try {
    receipt = await deliverMessage.executeWithOptions({ ...providerCall, summary: `${step.channel} via ${provider}` }, [
      {
        identity,
        channel: step.channel,
        provider,
        to: input.to,
        content: delivery.content,
        data: input.data,
        override: input.providers[provider]?.override,
      },
    ]);
  } catch (error) {
    return { reason: MessageReason.PROVIDER_ERROR, error: describeFailure(error) };
  }
  delivery.observe('SENT');
  if (receipt.tracking === 'none') return undefined;

  for (let attempt = 0, waited = 0; waited < trackingWindowMs; attempt++) {
    const delay = pollDelay(attempt);
    await sleep(delay);
    waited += delay;
    const check = { identity, channel: step.channel, provider, providerMessageId: receipt.providerMessageId };
    // A poll that fails after its own retries is just a poll without an answer; the next one asks again.
    const state = await checkDeliveryStatus(check).catch(() => ({ state: 'pending' }) as const);
    if (state.state === 'delivered') {
      delivery.observe('DELIVERED');
      return undefined;
    }
    if (state.state === 'failed') return { reason: MessageReason.FAILED, error: state.error };
  }
  // No final answer within the window: the provider accepted it, so it stays SENT rather than failing over.
  return undefined;
}

function describeFailure(error: unknown): string {
  if (isCancellation(error)) throw error;
  if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure) return error.cause.message;
  if (error instanceof ActivityFailure && error.cause) return error.cause.message;
  if (error instanceof Error) return error.message;
  throw error;
}
