import type { SendMessageInput } from './message';

/** A `to` that names many recipients (api-contract §3.3): a list, a list pattern, or a tenant's members. */
export type Audience = { list_id: string } | { list_pattern: string } | { tenant_id: string };

/** Recipient keys that identify one user directly; a `tenant_id` next to any of them is only context. */
const USER_KEYS = ['user_id', 'email', 'phone_number', 'firebaseToken', 'webhook'] as const;

/**
 * The audience a recipient object names, or undefined for a single recipient. Throws with a message fit for a
 * 400 when the forms are mixed.
 */
export function audienceOf(to: Record<string, unknown>): Audience | undefined {
  const text = (key: string) => (typeof to[key] === 'string' && to[key] !== '' ? (to[key] as string) : undefined);
  const listId = text('list_id');
  const listPattern = text('list_pattern');
  if (listId !== undefined && listPattern !== undefined) {
    throw new Error('message.to takes list_id or list_pattern, not both');
  }
  const names = listId !== undefined || listPattern !== undefined;
  if (names && USER_KEYS.some((key) => to[key] !== undefined)) {
    throw new Error(`message.to names a list and a user at once; send to one or the other`);
  }
  if (listId !== undefined) return { list_id: listId };
  if (listPattern !== undefined) return { list_pattern: listPattern };
  const tenantId = text('tenant_id');
  if (tenantId !== undefined && !USER_KEYS.some((key) => to[key] !== undefined)) return { tenant_id: tenantId };
  return undefined;
}

export function describeAudience(audience: Audience): string {
  if ('list_id' in audience) return `list ${audience.list_id}`;
  if ('list_pattern' in audience) return `lists matching ${audience.list_pattern}`;
  return `tenant ${audience.tenant_id}`;
}

/**
 * What the gateway hands to `fanOutMessage`: the audience, and the message every recipient gets (its `to` holds
 * only what each recipient shares, such as a tenant context; the user id is added per recipient).
 */
export interface FanOutInput {
  requestId: string;
  audience: Audience;
  message: Omit<SendMessageInput, 'messageId'>;
  /** Paging position carried across continue-as-new: recipients after this user id are still to come. */
  after?: string;
  /** Recipients started by earlier runs of this fan-out. */
  started?: number;
  /** Recipients per page; absent = the default (100). Smaller pages mean more, shorter workflow tasks. */
  pageSize?: number;
}
