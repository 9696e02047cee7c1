import { applyStatusUpdate, newMessageRecord } from '../../domain/message-record';

const identity = {
  id: '1-00000001-000000000000000000000001',
  enqueued: 1000,
  recipient: 'u1',
  event: '',
  notification: '',
};
const twilio = { channel: 'sms' as const, provider: 'twilio' as const };

describe('applyStatusUpdate', () => {
  it('records the first time each status is reached, and the provider attempt with its reference', () => {
    let record = newMessageRecord(identity);
    record = applyStatusUpdate(record, {
      at: 2000,
      status: 'SENT',
      attempt: { ...twilio, status: 'SENT', reference: { sid: 'SM1' } },
    });
    record = applyStatusUpdate(record, { at: 3000, status: 'DELIVERED', attempt: { ...twilio, status: 'DELIVERED' } });
    record = applyStatusUpdate(record, { at: 4000, status: 'SENT', attempt: { ...twilio, status: 'SENT' } });

    expect(record).toMatchObject({ status: 'DELIVERED', sent: 2000, delivered: 3000 });
    expect(record.providers).toEqual([
      {
        channel: { key: 'sms', name: 'SMS', template: '' },
        provider: 'twilio',
        status: 'DELIVERED',
        sent: 2000,
        delivered: 3000,
        reference: { sid: 'SM1' },
      },
    ]);
  });

  it('keeps separate entries for separate attempts and records why one failed', () => {
    let record = newMessageRecord(identity);
    record = applyStatusUpdate(record, {
      at: 2000,
      attempt: { ...twilio, status: 'UNDELIVERABLE', error: 'twilio: 21211 invalid' },
    });
    record = applyStatusUpdate(record, {
      at: 2500,
      status: 'SENT',
      attempt: { channel: 'email', provider: 'sendgrid', status: 'SENT', reference: { 'x-message-id': 'X1' } },
    });
    expect(record.status).toBe('SENT');
    expect(record.providers.map((p) => [p.provider, p.status, p.error])).toEqual([
      ['twilio', 'UNDELIVERABLE', 'twilio: 21211 invalid'],
      ['sendgrid', 'SENT', undefined],
    ]);
  });

  it('sets reason and error when the message ends', () => {
    const record = applyStatusUpdate(newMessageRecord(identity), {
      at: 5,
      status: 'UNROUTABLE',
      reason: 'NO_CHANNELS',
      error: 'no address',
    });
    expect(record).toMatchObject({ status: 'UNROUTABLE', reason: 'NO_CHANNELS', error: 'no address' });
  });

  it('does not let a late failure overwrite a delivery', () => {
    let record = applyStatusUpdate(newMessageRecord(identity), { at: 1, status: 'DELIVERED' });
    record = applyStatusUpdate(record, { at: 2, status: 'UNDELIVERABLE', reason: 'FAILED', error: 'late' });
    expect(record.status).toBe('DELIVERED');
    expect(record.error).toBeUndefined();
  });
});
