import type { MessageFilter, MessagePosition } from '../../../db/message-log';
import { BadRequest } from '../errors/api-error';

/**
 * Query strings of `GET /messages` and `GET /messages/{id}/history` as the three Courier SDK generations send
 * them (api-contract §1.6):
 * - v7 joins arrays with commas: `status=SENT,DELIVERED`;
 * - v6 repeats the key: `status=SENT&status=DELIVERED`;
 * - v5 (`courier-node/` user agent) joins with commas through URLSearchParams and then `encodeURI`s the whole URL,
 *   so every value arrives encoded twice (`status=SENT%252CDELIVERED`, `recipient=a%2540b.c`), and it sends the
 *   literal `undefined` for every parameter the caller left unset.
 * Fastify has already decoded the query once; what is left is done here.
 */

/** A parsed query string: repeated keys give arrays. */
export type RawQuery = Record<string, string | string[] | undefined>;

export interface QueryOptions {
  /** The request came from the classic v5 client: decode every value once more. */
  doubleEncoded?: boolean;
}

/**
 * Page size of `GET /messages`. Courier's is unconfirmed (the API has no `limit` parameter; api-contract §18):
 * 25 is our choice, small enough for a quick first page.
 */
export const MESSAGE_PAGE_SIZE = 25;

export interface MessageListQuery {
  filter: MessageFilter;
  after?: MessagePosition;
}

/** True for the classic v5 client, which sends `User-Agent: courier-node/<version>` and double-encodes values. */
export function sentByClassicClient(userAgent: string | undefined): boolean {
  return typeof userAgent === 'string' && userAgent.startsWith('courier-node/');
}

function decodeOnceMore(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value; // a lone `%` was meant literally
  }
}

/** The non-empty values of a parameter, `undefined` dropped, each decoded as far as its sender encoded it. */
function valuesOf(query: RawQuery, name: string, options: QueryOptions): string[] {
  const raw = query[name];
  const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return values
    .map((value) => (options.doubleEncoded || /%2c/i.test(value) ? decodeOnceMore(value) : value))
    .filter((value) => value !== '' && value !== 'undefined');
}

/** A single-valued parameter: the first value given. */
function single(query: RawQuery, name: string, options: QueryOptions): string | undefined {
  return valuesOf(query, name, options)[0];
}

/** A multi-valued parameter in any of the three encodings: repeated keys, each possibly a comma list. */
function multi(query: RawQuery, name: string, options: QueryOptions): string[] {
  const values = valuesOf(query, name, options).flatMap((value) => value.split(','));
  return [...new Set(values.map((value) => value.trim()).filter((value) => value !== '' && value !== 'undefined'))];
}

const nonEmpty = (values: string[]) => (values.length > 0 ? values : undefined);

function parseBoolean(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new BadRequest(`${name} must be true or false`);
}

function parseEpochMs(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = /^\d{1,16}$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isSafeInteger(ms)) throw new BadRequest(`${name} must be a timestamp in epoch milliseconds`);
  return ms;
}

/** `paging.cursor`: base64 of `<enqueued epoch ms>,<message id>` (api-contract §1.2). */
export function encodeCursor(position: MessagePosition): string {
  return Buffer.from(`${position.enqueued},${position.id}`, 'utf8').toString('base64');
}

export function decodeCursor(cursor: string): MessagePosition {
  // Base64 has no `%`: one left means the value was encoded once more than usual. A `+` may have become a space.
  const text = (cursor.includes('%') ? decodeOnceMore(cursor) : cursor).trim().replace(/ /g, '+');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) {
    const match = /^(\d{1,16}),(\S+)$/.exec(Buffer.from(text, 'base64').toString('utf8'));
    if (match && Number.isSafeInteger(Number(match[1]))) return { enqueued: Number(match[1]), id: match[2] };
  }
  throw new BadRequest('cursor is not a cursor this API returned');
}

/** `GET /messages` query → filter and page position. Throws 400 on a bad cursor, timestamp or boolean. */
export function parseMessageListQuery(query: RawQuery, options: QueryOptions = {}): MessageListQuery {
  const get = (name: string) => single(query, name, options);
  const cursor = get('cursor');
  // `statuses` are upper-case everywhere; a lower-case `delivered` would otherwise match nothing without a word.
  const statuses = multi(query, 'status', options).map((status) => status.toUpperCase());
  const filter: MessageFilter = {
    recipient: get('recipient'),
    statuses: nonEmpty(statuses),
    providers: nonEmpty(multi(query, 'provider', options)),
    // `tag` (multi-valued) and `tags` (a comma list) both match any of their tags.
    tags: nonEmpty([...new Set([...multi(query, 'tag', options), ...multi(query, 'tags', options)])]),
    event: get('event'),
    notification: get('notification'),
    traceId: get('traceId'),
    messageId: get('messageId'),
    enqueuedAfter: parseEpochMs('enqueued_after', get('enqueued_after')),
    list: get('list'),
    tenantId: get('tenant_id'),
    archived: parseBoolean('archived', get('archived')),
  };
  for (const key of Object.keys(filter) as Array<keyof MessageFilter>) {
    if (filter[key] === undefined) delete filter[key];
  }
  return cursor === undefined ? { filter } : { filter, after: decodeCursor(cursor) };
}

/** `GET /messages/{id}/history` query: the event types to keep, if any (`type`, also as a list). */
export function parseHistoryQuery(query: RawQuery, options: QueryOptions = {}): { types?: string[] } {
  const types = multi(query, 'type', options).map((type) => type.toUpperCase());
  return types.length > 0 ? { types } : {};
}
