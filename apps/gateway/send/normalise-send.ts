import { checkTemplateSyntax } from '../../../domain/render';
import type { Recipient, RoutingNode, SendMessageInput } from '../../../domain/message';
import { defaultRouting } from '../../../domain/routing';
import { BadRequest } from '../errors/api-error';
import type { LegacySendRequest, MessageRequest } from './send-request.schema';

/**
 * Turns a validated Courier message into the workflow input, refusing (400) what Herald cannot do for it yet
 * so nothing is accepted and then silently dropped.
 */
export function normaliseMessage(message: MessageRequest, messageId: string, enqueuedAt: number): SendMessageInput {
  if (Array.isArray(message.to)) {
    throw new BadRequest(
      'message.to as an array (several recipients) is not supported yet; send one request per recipient',
    );
  }
  const { data: recipientData, ...to } = message.to;
  if (!to.user_id && !to.email && !to.phone_number) {
    throw new BadRequest('message.to needs at least one of user_id, email or phone_number');
  }
  if (message.content && message.template) throw new BadRequest('message takes either content or template, not both');
  if (!message.content && !message.template) throw new BadRequest('message needs content or template');
  if (message.content && !('body' in message.content)) {
    throw new BadRequest('content with elements (Elemental) is not supported yet; use {title, body}');
  }
  const content = message.content as { title?: string; body: string } | undefined;
  if (content) {
    checkSyntax('content.title', content.title);
    checkSyntax('content.body', content.body);
  }
  return {
    messageId,
    enqueuedAt,
    to: to as Recipient,
    content: content && { title: content.title, body: content.body },
    template: message.template,
    // Recipient-level data is merged over message data for that recipient (api-contract §3.3).
    data: { ...(message.data ?? {}), ...(recipientData ?? {}) },
    routing: (message.routing as RoutingNode | undefined) ?? defaultRouting,
    providers: message.providers ?? {},
    metadata: message.metadata ?? {},
  };
}

export function normaliseLegacy(body: LegacySendRequest, messageId: string, enqueuedAt: number): SendMessageInput {
  return normaliseMessage(
    { to: { ...(body.profile ?? {}), user_id: body.recipient }, template: body.event, data: body.data },
    messageId,
    enqueuedAt,
  );
}

function checkSyntax(field: string, source: string | undefined): void {
  if (source === undefined) return;
  try {
    checkTemplateSyntax(source);
  } catch (error) {
    throw new BadRequest(`${field} is not a valid template: ${(error as Error).message.split('\n')[0]}`);
  }
}
