import { advanceStatus, isFinalStatus } from '../../domain/status';

describe('advanceStatus', () => {
  it('moves forward along the delivery path', () => {
    expect(advanceStatus('ENQUEUED', 'SENT')).toBe('SENT');
    expect(advanceStatus('SENT', 'DELIVERED')).toBe('DELIVERED');
    expect(advanceStatus('DELIVERED', 'CLICKED')).toBe('CLICKED');
  });

  it('never moves back when events arrive out of order', () => {
    expect(advanceStatus('DELIVERED', 'SENT')).toBe('DELIVERED');
    expect(advanceStatus('CLICKED', 'OPENED')).toBe('CLICKED');
  });

  it('ends an undelivered message, but not one already delivered', () => {
    expect(advanceStatus('SENT', 'UNDELIVERABLE')).toBe('UNDELIVERABLE');
    expect(advanceStatus('DELIVERED', 'UNDELIVERABLE')).toBe('DELIVERED');
  });

  it('keeps a final status for good', () => {
    for (const final of ['UNDELIVERABLE', 'UNROUTABLE', 'UNMAPPED', 'CANCELED'] as const) {
      expect(isFinalStatus(final)).toBe(true);
      expect(advanceStatus(final, 'DELIVERED')).toBe(final);
    }
    expect(isFinalStatus('SENT')).toBe(false);
  });
});
