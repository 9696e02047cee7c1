import { applyStatusUpdate, newMessageRecord } from '../../domain/message-record';
import { deepMerge } from '../../domain/merge';
import { planRouting } from '../../domain/routing';
import { deadlines, defaultTimeouts } from '../../domain/timeouts';

describe('deadlines', () => {
  it("uses Courier's defaults: 5 minutes a provider, 30 a channel, 72 hours a message", () => {
    const d = deadlines(undefined, 0);
    expect(d.providerMs('twilio')).toBe(defaultTimeouts.providerMs);
    expect(d.channelEndsAt('sms', 1_000)).toBe(1_000 + 30 * 60_000);
  });

  it('accepts one number for all or a map by name, and never lets a channel outlive the message', () => {
    const d = deadlines({ message: 90_000, channel: { email: 60_000 }, provider: 10_000 }, 0);
    expect(d.providerMs('sendgrid')).toBe(10_000);
    expect(d.channelEndsAt('email', 0)).toBe(60_000);
    expect(d.channelEndsAt('email', 50_000)).toBe(90_000);
    expect(d.channelEndsAt('sms', 0)).toBe(90_000);
  });
});

describe('deepMerge', () => {
  it('merges objects key by key and replaces everything else', () => {
    expect(deepMerge({ a: { b: 1, c: 2 }, list: [1, 2] }, { a: { c: 3 }, list: [9] })).toEqual({
      a: { b: 1, c: 3 },
      list: [9],
    });
  });

  it('drops keys that could reach a prototype', () => {
    const merged = deepMerge({}, JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"x": 1}}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(merged)).toEqual([]);
  });
});

describe('planRouting with channel and provider settings', () => {
  const recipient = { email: 'a@corp.example', phone_number: '+15551234567' };

  it('orders and narrows providers with channels.<name>.providers', () => {
    const plan = planRouting({ method: 'single', channels: ['email'] }, recipient, undefined, {
      channels: { email: { providers: ['smtp', 'unknown-provider'] } },
    });
    expect(plan).toMatchObject({ routable: true, steps: [{ channel: 'email', providers: ['smtp'] }] });
  });

  it('evaluates if-conditions over data and profile', () => {
    const options = {
      data: { plan: 'pro' },
      channels: { sms: { if: "data.plan === 'free'" } },
      providers: { sendgrid: { if: "profile.email.endsWith('@corp.example')" } },
    };
    const plan = planRouting({ method: 'single', channels: ['sms', 'email'] }, recipient, undefined, options);
    expect(plan).toMatchObject({ routable: true, steps: [{ channel: 'email', providers: ['sendgrid', 'smtp'] }] });
  });

  it('treats a condition that cannot be evaluated as false', () => {
    const plan = planRouting({ method: 'single', channels: ['sms'] }, recipient, undefined, {
      channels: { sms: { if: 'data.constructor' } },
    });
    expect(plan.routable).toBe(false);
  });
});

describe('reopening a message for a retry', () => {
  const identity = { id: 'm1', enqueued: 1, recipient: '', event: '', notification: '' };

  it('brings an UNDELIVERABLE message back to ENQUEUED and gives the new attempt its own entry', () => {
    let record = applyStatusUpdate(newMessageRecord(identity), {
      at: 2,
      status: 'UNDELIVERABLE',
      reason: 'PROVIDER_ERROR',
      error: 'twilio: 400',
      attempt: { channel: 'sms', provider: 'twilio', status: 'UNDELIVERABLE', error: 'twilio: 400' },
    });
    record = applyStatusUpdate(record, { at: 3, reopen: true });
    expect(record).toMatchObject({ status: 'ENQUEUED' });
    expect(record.reason).toBeUndefined();
    record = applyStatusUpdate(record, {
      at: 4,
      status: 'SENT',
      attempt: { channel: 'sms', provider: 'twilio', status: 'SENT', reference: { sid: 'SM2' } },
    });
    expect(record.status).toBe('SENT');
    expect(record.providers.map((p) => p.status)).toEqual(['UNDELIVERABLE', 'SENT']);
  });

  it('does not reopen anything else', () => {
    const delivered = applyStatusUpdate(newMessageRecord(identity), { at: 2, status: 'DELIVERED' });
    expect(applyStatusUpdate(delivered, { at: 3, reopen: true }).status).toBe('DELIVERED');
  });
});
