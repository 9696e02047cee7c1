import { FaultQueue } from '../../apps/sandbox/faults';
import { countSegments } from '../../apps/sandbox/sms-segments';
import { SandboxStore, type StoredMessage } from '../../apps/sandbox/store';
import { planSteps } from '../../apps/sandbox/twilio.message';

function message(id: string, overrides: Partial<StoredMessage> = {}): StoredMessage {
  return {
    id,
    provider: 'twilio',
    channel: 'sms',
    to: '+15551234567',
    from: null,
    initialStatus: 'queued',
    steps: [],
    receivedAt: 1000,
    params: {},
    recipients: ['+15551234567'],
    ...overrides,
  };
}

describe('sandbox store', () => {
  it('forgets the oldest entries past its bound, index included', () => {
    const store = new SandboxStore(2);
    for (const id of ['a', 'b', 'c']) store.addMessage(message(id));
    expect(store.listMessages().map((m) => m.id)).toEqual(['b', 'c']);
    expect(store.findMessage('twilio', 'a')).toBeUndefined();
    // Once evicted, the same id can be recorded again.
    expect(store.addMessage(message('a'))).toBe(true);
  });

  it('keeps the first copy of a duplicate id', () => {
    const store = new SandboxStore();
    expect(store.addMessage(message('a', { body: 'first' }))).toBe(true);
    expect(store.addMessage(message('a', { body: 'second' }))).toBe(false);
    expect(store.listMessages().map((m) => m.body)).toEqual(['first']);
  });

  it('computes the status from the steps at a given time', () => {
    const store = new SandboxStore();
    store.addMessage(
      message('a', { steps: planSteps('+15551234567', 1000, { sentAfterMs: 200, deliveredAfterMs: 600 }) }),
    );
    const statusAt = (now: number) => store.listMessages({}, now)[0]!.status;
    expect([statusAt(1199), statusAt(1200), statusAt(1599), statusAt(1600)]).toEqual([
      'queued',
      'sent',
      'sent',
      'delivered',
    ]);
  });
});

describe('twilio lifecycle plan', () => {
  const timing = { sentAfterMs: 10, deliveredAfterMs: 30 };
  it('fails +15005550011 without a sent step and undelivers +15005550010 after one', () => {
    expect(planSteps('+15005550011', 0, timing)).toEqual([{ at: 10, status: 'failed', errorCode: 30001 }]);
    expect(planSteps('whatsapp:+15005550010', 0, timing)).toEqual([
      { at: 10, status: 'sent' },
      { at: 30, status: 'undelivered', errorCode: 30003 },
    ]);
  });
});

describe('SMS segment counting', () => {
  it.each([
    ['', 1],
    ['a'.repeat(160), 1],
    ['a'.repeat(161), 2],
    ['a'.repeat(306), 2],
    ['a'.repeat(307), 3],
    ['{'.repeat(80), 1], // extension characters cost two septets
    ['{'.repeat(81), 2],
    ['é'.repeat(160), 1], // é is in the GSM basic table
    ['ł'.repeat(70), 1],
    ['ł'.repeat(71), 2],
    ['😀'.repeat(35), 1], // two UTF-16 units each
    ['😀'.repeat(36), 2],
  ])('%j → %i', (body, expected) => {
    expect(countSegments(body)).toBe(expected);
  });
});

describe('fault queue', () => {
  it('consumes faults first-in first-out per provider', () => {
    const faults = new FaultQueue();
    faults.add({ provider: 'twilio', count: 1, status: 429 });
    faults.add({ provider: 'twilio', count: 1, mode: 'drop' });
    expect(faults.take('sendgrid')).toBeUndefined();
    expect(faults.take('twilio')).toMatchObject({ mode: 'status', status: 429 });
    expect(faults.take('twilio')).toMatchObject({ mode: 'drop' });
    expect(faults.take('twilio')).toBeUndefined();
  });

  it('defaults: status 500, timeout 30 s ending in 503', () => {
    const faults = new FaultQueue();
    expect(faults.add({ provider: 'segment', count: 1 })).toMatchObject({ mode: 'status', status: 500 });
    expect(faults.add({ provider: 'segment', count: 1, mode: 'timeout' })).toMatchObject({
      status: 503,
      delayMs: 30_000,
    });
  });
});
