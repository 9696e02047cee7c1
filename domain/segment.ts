/**
 * Segment events as Herald takes them (Segment's Courier destination, or the HTTP Tracking API that
 * `@segment/analytics-node` speaks) and what each one means for Courier's data model (api-contract §16.1):
 * identify → profile traits, group → tenant membership, every event → an automation trigger.
 */

/** The event types Herald acts on; Courier's destination forwards only these. */
export const SEGMENT_EVENT_TYPES = ['track', 'identify', 'group'] as const;
export type SegmentEventType = (typeof SEGMENT_EVENT_TYPES)[number];

/** Longest messageId taken: it is half of a database key (PostgreSQL caps index entries at ~2.7 kB). */
export const MAX_SEGMENT_MESSAGE_ID = 512;
/** Longest user, anonymous or group id: the limit of Herald's profile and tenant ids. */
export const MAX_SEGMENT_ID = 1024;

interface SegmentEventBase {
  messageId: string;
  userId?: string;
  anonymousId?: string;
  /** ISO-8601, when the event happened (Segment fills in "now" when the caller gave none). */
  timestamp?: string;
}

export interface SegmentTrack extends SegmentEventBase {
  type: 'track';
  event: string;
  properties: Record<string, unknown>;
}

export interface SegmentIdentify extends SegmentEventBase {
  type: 'identify';
  traits: Record<string, unknown>;
}

export interface SegmentGroup extends SegmentEventBase {
  type: 'group';
  groupId: string;
  traits: Record<string, unknown>;
}

export type SegmentEvent = SegmentTrack | SegmentIdentify | SegmentGroup;

/**
 * A parsed event, or why it is not one: `unsupported` for valid Segment types Herald has no use for (page, screen,
 * alias), `invalid` for anything Segment itself would refuse.
 */
export type SegmentParseResult =
  { ok: true; event: SegmentEvent } | { ok: false; reason: 'invalid' | 'unsupported'; problem: string };

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

class EventProblem extends Error {}

/** Segment ids are strings, but libraries send numbers too; an empty string is as good as no id. */
function optionalId(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') throw new EventProblem(`${field} must be a string`);
  if (value.length > MAX_SEGMENT_ID) throw new EventProblem(`${field} must be at most ${MAX_SEGMENT_ID} characters`);
  return value;
}

function optionalObject(value: unknown, field: string): Json {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new EventProblem(`${field} must be an object`);
  return value;
}

function parseBase(value: Json): SegmentEventBase {
  const { messageId, timestamp } = value;
  if (typeof messageId !== 'string' || messageId.length === 0) throw new EventProblem('messageId is required');
  if (messageId.length > MAX_SEGMENT_MESSAGE_ID) {
    throw new EventProblem(`messageId must be at most ${MAX_SEGMENT_MESSAGE_ID} characters`);
  }
  const userId = optionalId(value.userId, 'userId');
  const anonymousId = optionalId(value.anonymousId, 'anonymousId');
  if (userId === undefined && anonymousId === undefined) throw new EventProblem('userId or anonymousId is required');
  if (timestamp !== undefined && (typeof timestamp !== 'string' || Number.isNaN(Date.parse(timestamp)))) {
    throw new EventProblem('timestamp must be an ISO-8601 date');
  }
  return {
    messageId,
    ...(userId !== undefined ? { userId } : {}),
    ...(anonymousId !== undefined ? { anonymousId } : {}),
    ...(timestamp !== undefined ? { timestamp } : {}),
  };
}

/** Checks one raw Segment event; the raw object itself is what automations later see, so nothing is dropped. */
export function parseSegmentEvent(value: unknown): SegmentParseResult {
  if (!isObject(value)) return { ok: false, reason: 'invalid', problem: 'a Segment event must be a JSON object' };
  const { type } = value;
  if (typeof type !== 'string' || type.length === 0) {
    return { ok: false, reason: 'invalid', problem: 'type is required' };
  }
  if (!(SEGMENT_EVENT_TYPES as readonly string[]).includes(type)) {
    return {
      ok: false,
      reason: 'unsupported',
      problem: `type "${type}" is not taken: only track, identify and group are`,
    };
  }
  try {
    const base = parseBase(value);
    switch (type as SegmentEventType) {
      case 'track': {
        if (typeof value.event !== 'string' || value.event.length === 0) {
          throw new EventProblem('event is required for a track');
        }
        const properties = optionalObject(value.properties, 'properties');
        return { ok: true, event: { type: 'track', ...base, event: value.event, properties } };
      }
      case 'identify':
        return { ok: true, event: { type: 'identify', ...base, traits: optionalObject(value.traits, 'traits') } };
      case 'group': {
        const groupId = optionalId(value.groupId, 'groupId');
        if (groupId === undefined) throw new EventProblem('groupId is required for a group');
        return { ok: true, event: { type: 'group', ...base, groupId, traits: optionalObject(value.traits, 'traits') } };
      }
    }
  } catch (error) {
    if (error instanceof EventProblem) return { ok: false, reason: 'invalid', problem: error.message };
    throw error;
  }
}

/**
 * The envelope of `POST /v1/batch`, `{batch: [...], context?, integrations?, writeKey?, sentAt?}`: its events, each
 * with the envelope's `context` and `integrations` under its own (Segment applies them to every event) and without
 * the write key, which must not travel on into automation data. Undefined when the body is not a batch.
 */
export function eventsOfBatch(body: unknown): unknown[] | undefined {
  if (!isObject(body) || !Array.isArray(body.batch)) return undefined;
  const shared: Json = {};
  if (isObject(body.context)) shared.context = body.context;
  if (isObject(body.integrations)) shared.integrations = body.integrations;
  return body.batch.map((item) => {
    if (!isObject(item)) return item;
    const { writeKey: _writeKey, ...event } = item;
    for (const key of ['context', 'integrations'] as const) {
      if (shared[key] !== undefined) {
        event[key] = { ...(shared[key] as Json), ...(isObject(event[key]) ? event[key] : {}) };
      }
    }
    return event;
  });
}

/**
 * The body of a single call (`POST /v1/track`, `/v1/identify`, `/v1/group`…) as an event: the type comes from the
 * path (the body need not carry one) and the write key is taken out, as for batches. Undefined when the body is not
 * an object.
 */
export function eventOfTrackingCall(body: unknown, type: string): Json | undefined {
  if (!isObject(body)) return undefined;
  const { writeKey: _writeKey, ...event } = body;
  return { ...event, type };
}

/**
 * The Herald user an event is about: `userId`, or `anonymousId` when there is none, so that an anonymous identify
 * and a later anonymous track meet on the same profile.
 */
export function segmentUserOf(event: SegmentEvent): string {
  return (event.userId ?? event.anonymousId)!;
}

/** The trigger a track starts: `track/<Event Name>`, as Courier names it (`/inbound/courier` events too). */
export function trackTrigger(eventName: string): string {
  return `track/${eventName}`;
}

/** The trigger an event starts: `track/<Event Name>`, `identify` or `group`. */
export function segmentTrigger(event: SegmentEvent): string {
  return event.type === 'track' ? trackTrigger(event.event) : event.type;
}

/** Segment's address trait → the OIDC address Courier profiles carry; keys it does not know stay as they are. */
const ADDRESS_KEYS: Record<string, string> = {
  street: 'street_address',
  city: 'locality',
  state: 'region',
  postalCode: 'postal_code',
};

/**
 * The profile keys an identify's traits set. Every trait is kept under its own name; on top of that the Segment
 * spec's reserved traits Courier knows by another name are copied to it, unless the traits carry that key
 * themselves: `phone` → `phone_number` (what SMS routing reads), `firstName`/`lastName` → `given_name`/
 * `family_name`, and `name` is made from them when absent (as Segment does). `address` is the exception: it is
 * rewritten into Courier's (OIDC) shape, since a profile cannot hold two `address` keys.
 */
export function profileFromTraits(traits: Record<string, unknown>): Record<string, unknown> {
  const profile: Json = { ...traits };
  const copy = (from: string, to: string) => {
    if (from in traits && !(to in traits)) profile[to] = traits[from];
  };
  copy('phone', 'phone_number');
  copy('firstName', 'given_name');
  copy('lastName', 'family_name');
  const { firstName, lastName } = traits;
  if (!('name' in traits) && (typeof firstName === 'string' || typeof lastName === 'string')) {
    const parts = [firstName, lastName].filter((part): part is string => typeof part === 'string' && part !== '');
    if (parts.length > 0) profile.name = parts.join(' ');
  }
  if (isObject(traits.address)) {
    profile.address = Object.fromEntries(
      Object.entries(traits.address).map(([key, value]) => [ADDRESS_KEYS[key] ?? key, value]),
    );
  }
  return profile;
}

/** What a group call says about its tenant. */
export interface SegmentTenant {
  tenantId: string;
  /** `traits.name`, when it is a usable tenant name. */
  name?: string;
  /** The other traits. */
  properties: Record<string, unknown>;
}

export function tenantFromGroup(event: SegmentGroup): SegmentTenant {
  const { name, ...properties } = event.traits;
  const usable = typeof name === 'string' && name.length > 0 && name.length <= MAX_SEGMENT_ID;
  return { tenantId: event.groupId, ...(usable ? { name } : {}), properties };
}
