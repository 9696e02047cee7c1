import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
} from '@temporalio/workflow';
import type { Activities, DeliveryReceipt } from '../activities';
import type { ResolvedMessage } from '../domain/send-resolution';
import type { ProviderKey } from '../domain/channels';
import { pollDelay, trackingWindowMs } from '../domain/delivery-tracking';
import { FailureType } from '../domain/failures';
import {
  messageIdentity,
  type MessageContent,
  type MessageIdentity,
  type Recipient,
  type SendMessageInput,
} from '../domain/message';
import { planRouting, type ChannelStep, type PlanStep } from '../domain/routing';
import { advanceStatus, MessageReason, type MessageStatus } from '../domain/status';
import { deadlines, type Deadlines } from '../domain/timeouts';
import { bookkeeping, providerCall, statusPoll } from './activity-profiles';

const { deliverMessage } = proxyActivities<Activities>(providerCall);
const { recordAttemptFailure, recordMessageOutcome, resolveMessage } = proxyLocalActivities<Activities>(bookkeeping);
const { checkDeliveryStatus } = proxyLocalActivities<Activities>(statusPoll);

/** The message's status as this workflow knows it; the message log has the full record. */
export const messageStatusQuery = defineQuery<MessageStatus>('messageStatus');

/** A provider's final word on one attempt, from its webhook (Twilio status callback, SendGrid event). */
export interface ProviderReport {
  provider: ProviderKey;
  providerMessageId: string;
  outcome: 'delivered' | 'failed';
  reason?: typeof MessageReason.BOUNCED | typeof MessageReason.FAILED;
  error?: string;
}
/** Sent by the gateway when a verified webhook reports delivery or failure; duplicates are ignored. */
export const providerReportSignal = defineSignal<[ProviderReport]>('providerReport');

/** Whether a cancel request stopped the message; too late once a provider may have it. */
export type CancelResult = { canceled: true } | { canceled: false; status: MessageStatus };
/** Cancels a message that is still queued or delayed (`POST /messages/{id}/cancel`). */
export const cancelMessageUpdate = defineUpdate<CancelResult>('cancelMessage');

export interface SendMessageResult {
  status: MessageStatus;
  reason?: MessageReason;
}

/** Why one provider attempt did not deliver: refused or failing (PROVIDER_ERROR), bounced, or undelivered (FAILED). */
interface Failure {
  reason: typeof MessageReason.PROVIDER_ERROR | typeof MessageReason.FAILED | typeof MessageReason.BOUNCED;
  error: string;
  /** Set when the provider had accepted the attempt before it failed. */
  reference?: Record<string, string>;
}

/** Everything one routing step needs besides the step itself. */
interface Delivery {
  input: SendMessageInput;
  /** The recipient as resolved at send time (stored profile under the inline keys). */
  to: Recipient;
  identity: MessageIdentity;
  content: MessageContent;
  deadlines: Deadlines;
  failures: Failure[];
  reports: Map<string, ProviderReport>;
  observe(status: MessageStatus): void;
}

/**
 * Delivers one message to one recipient: plans the route, sends through providers with failover, follows
 * delivery where the provider reports it, and records every step in the message log.
 */
export async function sendMessage(input: SendMessageInput): Promise<SendMessageResult> {
  let status: MessageStatus = 'ENQUEUED';
  let canceled = false;
  let handedToProviders = false;
  const reports = new Map<string, ProviderReport>();
  setHandler(messageStatusQuery, () => status);
  setHandler(cancelMessageUpdate, (): CancelResult => {
    if (handedToProviders || canceled) return canceled ? { canceled: true } : { canceled: false, status };
    canceled = true;
    return { canceled: true };
  });
  setHandler(providerReportSignal, (report) => {
    if (!reports.has(report.providerMessageId)) reports.set(report.providerMessageId, report);
  });

  const identity = messageIdentity(input);
  const finish = async (result: SendMessageResult, error?: string): Promise<SendMessageResult> => {
    status = result.status;
    await recordMessageOutcome({ identity, ...result, error });
    return result;
  };

  const delayMs = input.delay ? (input.delay.until ?? Date.now() + (input.delay.durationMs ?? 0)) - Date.now() : 0;
  if (delayMs > 0) {
    status = 'DELAYED';
    await recordMessageOutcome({ identity, status });
    await condition(() => canceled, delayMs);
  }
  if (canceled) return finish({ status: 'CANCELED' });

  // Stored data (profile, template, preferences) is read now, after any delay, so the message uses what is
  // current when it goes out. Sends that name none skip the step and its history event.
  let resolved: ResolvedMessage = { to: input.to, content: input.content };
  if (input.resolve) {
    resolved = await resolveMessage({ to: input.to, template: input.template, topicId: input.topic });
    if (resolved.stop)
      return finish({ status: resolved.stop.status, reason: resolved.stop.reason }, resolved.stop.error);
    if (canceled) return finish({ status: 'CANCELED' });
  }
  const content = resolved.content ?? input.content;
  if (!content) {
    return finish({ status: 'UNMAPPED' }, `template ${input.template ?? ''} is not known`);
  }
  const routing = input.routingDefaulted && resolved.routing ? resolved.routing : input.routing;
  // The plan covers every provider Herald has; one this worker has no credentials for is skipped when reached
  // (a cheap, rare path) rather than asked about up front, which would cost every message a step.
  const plan = planRouting(routing, resolved.to, resolved.enabledProviders, {
    channels: input.channels,
    providers: input.providers,
    data: input.data,
    allowedChannels: resolved.allowedChannels,
  });
  if (!plan.routable) return finish({ status: 'UNROUTABLE', reason: plan.reason }, plan.detail);

  // From here on a provider may have the message: cancelling would only pretend.
  handedToProviders = true;
  const delivery: Delivery = {
    input,
    to: resolved.to,
    identity,
    content,
    // Counted in workflow time from when delivery starts (after any delay), not from the gateway's clock, which may
    // differ from the server's; workflow time is also what replays see.
    deadlines: deadlines(input.timeout, Date.now()),
    failures: [],
    reports,
    observe: (next) => void (status = advanceStatus(status, next)),
  };
  const delivered = await runSteps(plan.method, plan.steps, delivery);
  if (delivered) return { status };
  if (delivery.failures.length === 0) {
    return finish(
      { status: 'UNROUTABLE', reason: MessageReason.NO_PROVIDERS },
      'no configured provider serves the routed channels',
    );
  }
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

/**
 * Tries the channel's providers in order; a provider that fails for good hands over to the next. With
 * `routing_method: all` every provider is used at once, and any delivery counts.
 */
async function runChannel(step: ChannelStep, delivery: Delivery): Promise<boolean> {
  const channelEnds = delivery.deadlines.channelEndsAt(step.channel, Date.now());
  if (step.providerMethod === 'all') {
    const results = await Promise.all(
      step.providers.map((provider) =>
        runChannel({ ...step, providers: [provider], providerMethod: undefined }, delivery),
      ),
    );
    return results.some(Boolean);
  }
  for (const provider of step.providers) {
    const failure = await deliverThrough(step, provider, channelEnds, delivery);
    if (failure === undefined) return true;
    if (failure === 'not-configured') continue;
    delivery.failures.push(failure);
    await recordAttemptFailure({
      identity: delivery.identity,
      channel: step.channel,
      provider,
      error: failure.error,
      reference: failure.reference,
    });
    // A bounce condemns the address, not the provider: another email provider would bounce too.
    if (failure.reason === MessageReason.BOUNCED) break;
  }
  return false;
}

/** Sends through one provider and follows the message until the provider gives a final answer. */
async function deliverThrough(
  step: ChannelStep,
  provider: ProviderKey,
  channelEnds: number,
  delivery: Delivery,
): Promise<Failure | 'not-configured' | undefined> {
  const { input, identity, to } = delivery;
  const budget = Math.min(delivery.deadlines.providerMs(provider), channelEnds - Date.now());
  if (budget <= 0)
    return {
      reason: MessageReason.PROVIDER_ERROR,
      error: `${provider}: skipped, the channel or message timeout has passed`,
    };
  let receipt: DeliveryReceipt;
  try {
    receipt = await deliverMessage.executeWithOptions(
      { ...providerCall, scheduleToCloseTimeout: budget, summary: `${step.channel} via ${provider}` },
      [
        {
          identity,
          channel: step.channel,
          provider,
          to,
          content: delivery.content,
          data: input.data,
          override: input.providers[provider]?.override,
        },
      ],
    );
  } catch (error) {
    if (failureType(error) === FailureType.ProviderNotConfigured) return 'not-configured';
    return { reason: MessageReason.PROVIDER_ERROR, error: describeFailure(error) };
  }
  delivery.observe('SENT');
  return followDelivery(step, provider, receipt, delivery);
}

/**
 * Waits for the provider's final word: a webhook report (signal) where the provider sends them, a status poll
 * where it has a status API (Twilio) and no report has come yet. No answer in the window: the message stays SENT.
 */
async function followDelivery(
  step: ChannelStep,
  provider: ProviderKey,
  receipt: DeliveryReceipt,
  delivery: Delivery,
): Promise<Failure | undefined> {
  const id = receipt.providerMessageId;
  const reference = { [receipt.referenceName ?? 'id']: id };
  const reported = () => delivery.reports.has(id);
  const outcome = (report: ProviderReport): Failure | undefined => {
    if (report.outcome === 'delivered') {
      delivery.observe('DELIVERED');
      return undefined;
    }
    return {
      reason: report.reason ?? MessageReason.FAILED,
      error: report.error ?? `${provider} reported the message undelivered`,
      reference,
    };
  };

  if (receipt.tracking === 'none') return undefined;
  if (receipt.tracking === 'events') {
    const answered = await condition(reported, trackingWindowMs);
    return answered ? outcome(delivery.reports.get(id) as ProviderReport) : undefined;
  }

  for (let attempt = 0, waited = 0; waited < trackingWindowMs; attempt++) {
    const delay = pollDelay(attempt);
    if (await condition(reported, delay)) return outcome(delivery.reports.get(id) as ProviderReport);
    waited += delay;
    const check = { identity: delivery.identity, channel: step.channel, provider, providerMessageId: id };
    // A poll that fails after its own retries is just a poll without an answer; the next one asks again.
    const state = await checkDeliveryStatus(check).catch(() => ({ state: 'pending' }) as const);
    if (state.state === 'delivered') {
      delivery.observe('DELIVERED');
      return undefined;
    }
    if (state.state === 'failed') return { reason: MessageReason.FAILED, error: state.error, reference };
  }
  return undefined;
}

function failureType(error: unknown): string | undefined {
  return error instanceof ActivityFailure && error.cause instanceof ApplicationFailure
    ? (error.cause.type ?? undefined)
    : undefined;
}

function describeFailure(error: unknown): string {
  if (isCancellation(error)) throw error;
  if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure) return error.cause.message;
  if (error instanceof ActivityFailure && error.cause) return error.cause.message;
  if (error instanceof Error) return error.message;
  throw error;
}
