import { planRouting, type RoutingPlan } from '../../domain/routing';

const everyone = { user_id: 'u1', email: 'a@example.com', phone_number: '+15551234567' };

function steps(plan: RoutingPlan) {
  if (!plan.routable) throw new Error(`expected a routable plan, got ${plan.reason}`);
  return plan;
}

describe('planRouting', () => {
  it('keeps the order of a single (priority) routing, one provider per channel', () => {
    const plan = steps(planRouting({ method: 'single', channels: ['sms', 'email'] }, everyone));
    expect(plan.method).toBe('single');
    expect(plan.steps).toEqual([
      { kind: 'channel', channel: 'sms', providers: ['twilio'] },
      { kind: 'channel', channel: 'email', providers: ['sendgrid', 'smtp'] },
    ]);
  });

  it('treats "priority" as "single"', () => {
    expect(steps(planRouting({ method: 'priority' as 'single', channels: ['email'] }, everyone)).method).toBe('single');
  });

  it('skips channels the recipient has no address for', () => {
    const plan = steps(planRouting({ method: 'single', channels: ['email', 'sms'] }, { phone_number: '+15551234567' }));
    expect(plan.steps).toEqual([{ kind: 'channel', channel: 'sms', providers: ['twilio'] }]);
  });

  it('accepts provider keys as entries and pins that provider', () => {
    const plan = steps(planRouting({ method: 'single', channels: ['sendgrid'] }, everyone));
    expect(plan.steps).toEqual([{ kind: 'channel', channel: 'email', providers: ['sendgrid'] }]);
  });

  it('keeps nested groups with more than one viable entry, flattens groups with one', () => {
    const plan = steps(
      planRouting(
        {
          method: 'single',
          channels: [
            { method: 'all', channels: ['email', 'sms'] },
            { method: 'all', channels: ['push', 'email'] },
          ],
        },
        everyone,
      ),
    );
    expect(plan.steps).toEqual([
      {
        kind: 'group',
        method: 'all',
        steps: [
          { kind: 'channel', channel: 'email', providers: ['sendgrid', 'smtp'] },
          { kind: 'channel', channel: 'sms', providers: ['twilio'] },
        ],
      },
      { kind: 'channel', channel: 'email', providers: ['sendgrid', 'smtp'] },
    ]);
  });

  it('routes push to device tokens, one or several', () => {
    expect(steps(planRouting({ method: 'single', channels: ['push'] }, { firebaseToken: 'tok' })).steps).toEqual([
      { kind: 'channel', channel: 'push', providers: ['firebase-fcm'] },
    ]);
    expect(planRouting({ method: 'single', channels: ['push'] }, { firebaseToken: ['a', 'b'] }).routable).toBe(true);
    expect(planRouting({ method: 'single', channels: ['push'] }, { firebaseToken: [] }).routable).toBe(false);
  });

  it('leaves out providers the worker has not configured', () => {
    const plan = steps(planRouting({ method: 'single', channels: ['email'] }, everyone, ['sendgrid', 'twilio']));
    expect(plan.steps).toEqual([{ kind: 'channel', channel: 'email', providers: ['sendgrid'] }]);
  });

  it('is UNROUTABLE with NO_CHANNELS when nothing matches the recipient', () => {
    const plan = planRouting(
      { method: 'single', channels: ['sms', 'push', 'carrier-pigeon'] },
      { email: 'a@example.com' },
    );
    expect(plan).toMatchObject({ routable: false, reason: 'NO_CHANNELS' });
  });

  it('is UNROUTABLE with NO_PROVIDERS when a reachable channel has no enabled provider', () => {
    const plan = planRouting({ method: 'single', channels: ['sms'] }, everyone, ['sendgrid']);
    expect(plan).toMatchObject({ routable: false, reason: 'NO_PROVIDERS' });
  });

  it('ignores blank contact fields', () => {
    const plan = planRouting({ method: 'all', channels: ['sms', 'email'] }, { email: '  ', phone_number: '' });
    expect(plan).toMatchObject({ routable: false, reason: 'NO_CHANNELS' });
  });
});
