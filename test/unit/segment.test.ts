import {
  eventOfTrackingCall,
  eventsOfBatch,
  parseSegmentEvent,
  profileFromTraits,
  segmentTrigger,
  segmentUserOf,
  tenantFromGroup,
  type SegmentEvent,
  type SegmentGroup,
} from '../../domain/segment';

const parsed = (value: unknown): SegmentEvent => {
  const result = parseSegmentEvent(value);
  if (!result.ok) throw new Error(`expected a valid event, got: ${result.problem}`);
  return result.event;
};
const problemOf = (value: unknown) => {
  const result = parseSegmentEvent(value);
  return result.ok ? undefined : { reason: result.reason, problem: result.problem };
};

describe('parseSegmentEvent', () => {
  const track = {
    type: 'track',
    event: 'Order Completed',
    userId: 'u1',
    messageId: 'm1',
    timestamp: '2024-01-01T00:00:00.000Z',
    properties: { total: 12 },
    context: { ip: '1.2.3.4' },
  };

  it('takes a track with its event name and properties', () => {
    expect(parsed(track)).toEqual({
      type: 'track',
      event: 'Order Completed',
      userId: 'u1',
      messageId: 'm1',
      timestamp: '2024-01-01T00:00:00.000Z',
      properties: { total: 12 },
    });
  });

  it('takes an identify and a group, defaulting absent traits to none', () => {
    expect(parsed({ type: 'identify', anonymousId: 'a1', messageId: 'm2' })).toEqual({
      type: 'identify',
      anonymousId: 'a1',
      messageId: 'm2',
      traits: {},
    });
    expect(parsed({ type: 'group', userId: 'u1', groupId: 'acme', messageId: 'm3', traits: { name: 'Acme' } })).toEqual(
      { type: 'group', userId: 'u1', groupId: 'acme', messageId: 'm3', traits: { name: 'Acme' } },
    );
  });

  it('reads numeric ids as strings and empty ids as absent', () => {
    expect(parsed({ ...track, userId: 42, anonymousId: '' })).toMatchObject({ userId: '42' });
    expect(parsed({ ...track, userId: 42, anonymousId: '' })).not.toHaveProperty('anonymousId');
    expect(parsed({ type: 'group', userId: 'u1', groupId: 7, messageId: 'm' })).toMatchObject({ groupId: '7' });
  });

  it('requires a messageId, and a userId or anonymousId', () => {
    expect(problemOf({ ...track, messageId: undefined })).toEqual({
      reason: 'invalid',
      problem: 'messageId is required',
    });
    expect(problemOf({ ...track, messageId: '' })?.problem).toBe('messageId is required');
    expect(problemOf({ ...track, messageId: 'x'.repeat(513) })?.problem).toMatch(/messageId must be at most 512/);
    expect(problemOf({ ...track, userId: undefined })?.problem).toBe('userId or anonymousId is required');
    expect(problemOf({ ...track, userId: '', anonymousId: null })?.problem).toBe('userId or anonymousId is required');
    expect(problemOf({ ...track, userId: { id: 1 } })?.problem).toBe('userId must be a string');
    expect(problemOf({ ...track, userId: 'u'.repeat(1025) })?.problem).toMatch(/userId must be at most 1024/);
  });

  it('requires the event of a track and the groupId of a group', () => {
    expect(problemOf({ ...track, event: undefined })?.problem).toBe('event is required for a track');
    expect(problemOf({ ...track, event: 3 })?.problem).toBe('event is required for a track');
    expect(problemOf({ type: 'group', userId: 'u1', messageId: 'm' })?.problem).toBe('groupId is required for a group');
  });

  it('refuses properties or traits that are not objects, and timestamps that are not dates', () => {
    expect(problemOf({ ...track, properties: [1] })?.problem).toBe('properties must be an object');
    expect(problemOf({ type: 'identify', userId: 'u', messageId: 'm', traits: 'x' })?.problem).toBe(
      'traits must be an object',
    );
    expect(problemOf({ ...track, timestamp: 'yesterday' })?.problem).toBe('timestamp must be an ISO-8601 date');
    expect(problemOf({ ...track, timestamp: 1700000000 })?.problem).toBe('timestamp must be an ISO-8601 date');
  });

  it('tells types Herald does not take from events that are not events', () => {
    expect(problemOf({ type: 'page', userId: 'u', messageId: 'm' })).toEqual({
      reason: 'unsupported',
      problem: 'type "page" is not taken: only track, identify and group are',
    });
    expect(problemOf({ userId: 'u', messageId: 'm' })).toEqual({ reason: 'invalid', problem: 'type is required' });
    expect(problemOf([track])?.reason).toBe('invalid');
    expect(problemOf(null)?.reason).toBe('invalid');
  });
});

describe('segment triggers and users', () => {
  it('names the trigger track/<Event Name>, identify or group', () => {
    expect(segmentTrigger(parsed({ type: 'track', event: 'Order Completed', userId: 'u', messageId: 'm' }))).toBe(
      'track/Order Completed',
    );
    expect(segmentTrigger(parsed({ type: 'identify', userId: 'u', messageId: 'm' }))).toBe('identify');
    expect(segmentTrigger(parsed({ type: 'group', userId: 'u', groupId: 'g', messageId: 'm' }))).toBe('group');
  });

  it('picks the userId, falling back to the anonymousId', () => {
    expect(segmentUserOf(parsed({ type: 'identify', userId: 'u', anonymousId: 'a', messageId: 'm' }))).toBe('u');
    expect(segmentUserOf(parsed({ type: 'identify', anonymousId: 'a', messageId: 'm' }))).toBe('a');
  });
});

describe('profileFromTraits', () => {
  it('keeps every trait and adds the Courier names of phone, first and last name', () => {
    expect(
      profileFromTraits({
        email: 'ada@example.com',
        phone: '+15551234567',
        firstName: 'Ada',
        lastName: 'Lovelace',
        plan: 'pro',
        timezone: 'Europe/London',
      }),
    ).toEqual({
      email: 'ada@example.com',
      phone: '+15551234567',
      phone_number: '+15551234567',
      firstName: 'Ada',
      lastName: 'Lovelace',
      given_name: 'Ada',
      family_name: 'Lovelace',
      name: 'Ada Lovelace',
      plan: 'pro',
      timezone: 'Europe/London',
    });
  });

  it('lets traits that already carry the Courier key win', () => {
    expect(
      profileFromTraits({ phone: '+1555', phone_number: '+1666', firstName: 'A', given_name: 'B', name: 'Countess' }),
    ).toEqual({ phone: '+1555', phone_number: '+1666', firstName: 'A', given_name: 'B', name: 'Countess' });
  });

  it('builds a name from whichever of first and last name there is', () => {
    expect(profileFromTraits({ lastName: 'Lovelace' })).toEqual({
      lastName: 'Lovelace',
      family_name: 'Lovelace',
      name: 'Lovelace',
    });
    expect(profileFromTraits({ firstName: '' })).toEqual({ firstName: '', given_name: '' });
  });

  it('carries a cleared trait (null) over as cleared', () => {
    expect(profileFromTraits({ phone: null })).toEqual({ phone: null, phone_number: null });
  });

  it("rewrites Segment's address into Courier's, keeping keys it does not know", () => {
    expect(
      profileFromTraits({
        address: { street: '1 Main St', city: 'Oslo', state: 'Oslo', postalCode: '0150', country: 'NO', floor: 3 },
      }),
    ).toEqual({
      address: {
        street_address: '1 Main St',
        locality: 'Oslo',
        region: 'Oslo',
        postal_code: '0150',
        country: 'NO',
        floor: 3,
      },
    });
    expect(profileFromTraits({ address: '1 Main St' })).toEqual({ address: '1 Main St' });
  });
});

describe('tenantFromGroup', () => {
  const group = (traits: Record<string, unknown>): SegmentGroup =>
    ({ type: 'group', userId: 'u', groupId: 'acme', messageId: 'm', traits }) as SegmentGroup;

  it('takes the tenant name from traits.name and keeps the other traits as properties', () => {
    expect(tenantFromGroup(group({ name: 'Acme Inc.', plan: 'pro', seats: 12 }))).toEqual({
      tenantId: 'acme',
      name: 'Acme Inc.',
      properties: { plan: 'pro', seats: 12 },
    });
  });

  it('leaves the name out when traits carry no usable one', () => {
    expect(tenantFromGroup(group({}))).toEqual({ tenantId: 'acme', properties: {} });
    expect(tenantFromGroup(group({ name: '' }))).toEqual({ tenantId: 'acme', properties: {} });
    expect(tenantFromGroup(group({ name: 42 }))).toEqual({ tenantId: 'acme', properties: {} });
  });
});

describe('tracking API bodies', () => {
  it("gives each batch event the envelope's context and integrations under its own, without the write key", () => {
    const events = eventsOfBatch({
      batch: [
        { type: 'track', event: 'A', context: { ip: '1.1.1.1' }, writeKey: 'secret' },
        { type: 'identify', integrations: { All: false } },
        'not an event',
      ],
      context: { ip: '9.9.9.9', library: { name: 'x' } },
      integrations: { All: true },
      writeKey: 'secret',
      sentAt: '2024-01-01T00:00:00.000Z',
    });
    expect(events).toEqual([
      { type: 'track', event: 'A', context: { ip: '1.1.1.1', library: { name: 'x' } }, integrations: { All: true } },
      { type: 'identify', context: { ip: '9.9.9.9', library: { name: 'x' } }, integrations: { All: false } },
      'not an event',
    ]);
  });

  it('leaves batch events alone when the envelope has no context', () => {
    expect(eventsOfBatch({ batch: [{ type: 'track' }] })).toEqual([{ type: 'track' }]);
  });

  it('refuses a body without a batch array', () => {
    expect(eventsOfBatch({ batch: {} })).toBeUndefined();
    expect(eventsOfBatch([])).toBeUndefined();
    expect(eventsOfBatch(undefined)).toBeUndefined();
  });

  it('types a single call by its path and drops its write key', () => {
    expect(eventOfTrackingCall({ event: 'A', type: 'identify', writeKey: 'k', userId: 'u' }, 'track')).toEqual({
      event: 'A',
      type: 'track',
      userId: 'u',
    });
    expect(eventOfTrackingCall('x', 'track')).toBeUndefined();
  });
});
