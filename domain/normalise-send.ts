import { audienceOf, type FanOutInput } from './audience';
import { checkExpression } from './expression';
import { listIdProblem, listPatternProblem } from './list-pattern';
import { checkTemplateSyntax } from './render';
import type { Recipient, RoutingNode, SendMessageInput } from './message';
import { defaultRouting } from './routing';
import type { LegacySendRequest, MessageRequest } from './send-request.schema';

/**
 * Turns a validated Courier message into the workflow input, refusing (400) what Herald cannot do for it yet
 * so nothing is accepted and then silently dropped.
 */
/** Workspace settings that apply when a send leaves them out. */
export interface SendDefaults {
  routing: RoutingNode;
}

/** A send that cannot be accepted as given; the message says why (the gateway answers 400 with it). */
export class InvalidSend extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidSend';
  }
}

/** One recipient (`sendMessage`), or an audience to fan out to (`fanOutMessage`). */
export type NormalisedSend = { kind: 'single'; input: SendMessageInput } | { kind: 'fan-out'; input: FanOutInput };

export function normaliseMessage(
  message: MessageRequest,
  messageId: string,
  enqueuedAt: number,
  defaults: SendDefaults = { routing: defaultRouting },
): NormalisedSend {
  if (Array.isArray(message.to)) {
    throw new InvalidSend(
      'message.to as an array (several recipients) is not supported yet; send one request per recipient',
    );
  }
  const { data: recipientData, list_id: _list, list_pattern: _pattern, ...to } = message.to;
  let audience;
  try {
    audience = audienceOf(message.to);
  } catch (error) {
    throw new InvalidSend((error as Error).message);
  }
  if (audience) {
    const problem =
      'list_id' in audience
        ? listIdProblem(audience.list_id)
        : 'list_pattern' in audience
          ? listPatternProblem(audience.list_pattern)
          : undefined;
    if (problem) throw new InvalidSend(problem);
  } else if (!to.user_id && !to.email && !to.phone_number && !to.firebaseToken && !to.webhook) {
    throw new InvalidSend(
      'message.to needs at least one of user_id, email, phone_number, firebaseToken or webhook, or a list_id, list_pattern or tenant_id',
    );
  }
  if (message.content && message.template) throw new InvalidSend('message takes either content or template, not both');
  if (!message.content && !message.template) throw new InvalidSend('message needs content or template');
  if (message.content && !('body' in message.content)) {
    throw new InvalidSend('content with elements (Elemental) is not supported yet; use {title, body}');
  }
  checkConditions(message);
  const content = message.content as { title?: string; body: string } | undefined;
  if (content) {
    checkSyntax('content.title', content.title);
    checkSyntax('content.body', content.body);
  }
  const topic = message.preferences?.subscription_topic_id;
  const input: SendMessageInput = {
    messageId,
    enqueuedAt,
    to: to as Recipient,
    content: content && { title: content.title, body: content.body },
    template: message.template,
    topic,
    // Only sends that name stored data pay for the lookup step; the rest keep their short history.
    resolve: Boolean(to.user_id || message.template || topic) || undefined,
    routingDefaulted: message.routing === undefined || undefined,
    // Recipient-level data is merged over message data for that recipient (api-contract §3.3).
    data: { ...(message.data ?? {}), ...(recipientData ?? {}) },
    routing: (message.routing as RoutingNode | undefined) ?? defaults.routing,
    providers: message.providers ?? {},
    channels: message.channels,
    timeout: message.timeout,
    delay: normaliseDelay(message.delay),
    metadata: message.metadata ?? {},
  };
  if (!audience) return { kind: 'single', input };
  const { messageId: requestId, ...shared } = input;
  return { kind: 'fan-out', input: { requestId, audience, message: { ...shared, resolve: true } } };
}

function checkConditions(message: MessageRequest): void {
  const conditions = [
    ...Object.entries(message.channels ?? {}).map(([name, config]) => [`channels.${name}.if`, config.if] as const),
    ...Object.entries(message.providers ?? {}).map(([name, config]) => [`providers.${name}.if`, config.if] as const),
  ];
  for (const [field, source] of conditions) {
    if (source === undefined) continue;
    const check = checkExpression(source);
    if (!check.ok) throw new InvalidSend(`${field} is not a valid condition: ${check.message}`);
  }
}

/**
 * `delay.duration` (ms, rounded up to the next whole minute as Courier does) or `delay.until` (an ISO-8601 time).
 * Courier's opening-hours windows (`Mo-Fr 09:00-17:00`) are refused for now rather than ignored.
 */
function normaliseDelay(delay: MessageRequest['delay']): SendMessageInput['delay'] {
  if (!delay) return undefined;
  if (delay.until !== undefined) {
    const until = Date.parse(delay.until);
    if (Number.isNaN(until)) {
      throw new InvalidSend('delay.until must be an ISO-8601 time; delivery windows are not supported yet');
    }
    return { until };
  }
  if (delay.duration) return { durationMs: Math.ceil(delay.duration / 60_000) * 60_000 };
  return undefined;
}

export function normaliseLegacy(
  body: LegacySendRequest,
  messageId: string,
  enqueuedAt: number,
  defaults?: SendDefaults,
): SendMessageInput {
  const send = normaliseMessage(
    { to: { ...(body.profile ?? {}), user_id: body.recipient }, template: body.event, data: body.data },
    messageId,
    enqueuedAt,
    defaults,
  );
  // A legacy body always names one recipient (`recipient` is required).
  if (send.kind !== 'single') throw new InvalidSend('recipient must be a user id');
  return send.input;
}

function checkSyntax(field: string, source: string | undefined): void {
  if (source === undefined) return;
  try {
    checkTemplateSyntax(source);
  } catch (error) {
    throw new InvalidSend(`${field} is not a valid template: ${(error as Error).message.split('\n')[0]}`);
  }
}
