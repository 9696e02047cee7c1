import { createLogger } from '../../apps/common/logger';
import type { AutomationLauncher, InboundEvent } from '../../apps/gateway/automations/automation-launcher';
import { InboundService } from '../../apps/gateway/inbound/inbound.service';
import { openDatabase, type HeraldDatabase } from '../../db/database';
import { createInboundEventStore } from '../../db/inbound-events';
import { migrateToLatest } from '../../db/migrations';
import { createProfileStore } from '../../db/profiles';
import { createTenantStore } from '../../db/tenants';

/** A launcher that fails while `failing` is set, as one would when Temporal is unreachable. */
class FlakyLauncher implements AutomationLauncher {
  failing = false;
  readonly calls: InboundEvent[] = [];

  async startForEvent(event: InboundEvent): Promise<string[]> {
    this.calls.push(event);
    if (this.failing) throw new Error('Temporal is unreachable');
    return [`run_${event.messageId}`];
  }
}

/** The order of the inbound effects, which is what makes a failed delivery safe to redeliver. */
describe(InboundService.name, () => {
  let database: HeraldDatabase;
  let launcher: FlakyLauncher;
  const logger = createLogger('inbound-service-test', 'silent');
  const service = (withLauncher = true) =>
    new InboundService(
      createInboundEventStore(database),
      createProfileStore(database),
      createTenantStore(database),
      logger,
      withLauncher ? launcher : undefined,
    );

  beforeEach(async () => {
    database = openDatabase({ sqlitePath: ':memory:' });
    await migrateToLatest(database.db);
    launcher = new FlakyLauncher();
  });
  afterEach(() => database.close());

  const identify = { type: 'identify', userId: 'u1', messageId: 'm1', traits: { email: 'a@example.com' } };

  it('records an event only after its automations started, so a failed delivery is redone in full', async () => {
    launcher.failing = true;
    await expect(service().takeSegmentEvent(identify)).rejects.toThrow('Temporal is unreachable');
    // The profile change stays (it is idempotent); the event is not taken yet.
    expect(await createProfileStore(database).get('u1')).toEqual({ email: 'a@example.com' });
    expect(await createInboundEventStore(database).get('segment', 'm1')).toBeUndefined();

    launcher.failing = false;
    expect(await service().takeSegmentEvent(identify)).toEqual({ messageId: 'm1' });
    expect(await createInboundEventStore(database).get('segment', 'm1')).toMatchObject({
      event: 'identify',
      userId: 'u1',
      runs: ['run_m1'],
      payload: identify,
    });

    await service().takeSegmentEvent(identify);
    expect(launcher.calls).toHaveLength(2);
  });

  it('takes events without a launcher, starting nothing', async () => {
    await service(false).takeSegmentEvent(identify);
    expect(await createInboundEventStore(database).get('segment', 'm1')).toMatchObject({ runs: [] });
    expect(await createProfileStore(database).get('u1')).toEqual({ email: 'a@example.com' });
  });

  it('leaves an existing tenant as it is when a group call adds a member', async () => {
    const tenants = createTenantStore(database);
    await tenants.put('acme', { name: 'Acme (by API)', properties: { plan: 'pro' } });
    await service().takeSegmentEvent({
      type: 'group',
      userId: 'u1',
      groupId: 'acme',
      messageId: 'g1',
      traits: { name: 'Acme (from Segment)', plan: 'free' },
    });
    expect(await tenants.get('acme')).toEqual({ id: 'acme', name: 'Acme (by API)', properties: { plan: 'pro' } });
    expect((await tenants.members('acme', {}))?.items).toEqual([{ tenant_id: 'acme', user_id: 'u1' }]);
  });

  it('refuses an event with a key that could reach a prototype, in a batch by dropping it', async () => {
    const poisoned = JSON.parse(
      '{"type":"identify","userId":"u2","messageId":"p1","traits":{"__proto__":{"admin":true}}}',
    ) as unknown;
    await expect(service().takeSegmentEvent(poisoned)).rejects.toThrow('key /traits/__proto__ is not allowed');
    expect(await service().takeSegmentBatch({ batch: [poisoned, identify] })).toEqual({ success: true });
    expect(await createProfileStore(database).get('u2')).toBeUndefined();
    expect(await createProfileStore(database).get('u1')).toEqual({ email: 'a@example.com' });
  });
});
