import type { HeraldDatabase } from '../../db/database';
import { createInboundEventStore, type HeraldInboundEventStore } from '../../db/inbound-events';
import { migrateToLatest } from '../../db/migrations';
import { describeEachDatabase } from '../helpers/databases';

/** Inbound events taken once per (source, messageId), on each database, with the real migrations. */
describeEachDatabase('inbound event store', (testDatabase) => {
  let database: HeraldDatabase;
  let store: HeraldInboundEventStore;

  beforeEach(async () => {
    database = await testDatabase.open();
    await migrateToLatest(database.db);
    store = createInboundEventStore(database);
  });
  afterEach(() => database.close());

  const order = {
    source: 'segment' as const,
    messageId: 'msg-1',
    event: 'track/Order Completed',
    userId: 'u1',
    payload: { type: 'track', event: 'Order Completed', userId: 'u1', properties: { total: 12.5, items: ['a'] } },
    runs: ['run_a', 'run_b'],
  };

  it('records an event and reads it back', async () => {
    const before = Date.now();
    expect(await store.get('segment', 'msg-1')).toBeUndefined();
    expect(await store.record(order)).toBe(true);
    const stored = await store.get('segment', 'msg-1');
    expect(stored).toEqual({ ...order, received: expect.any(Number) });
    expect(stored!.received).toBeGreaterThanOrEqual(before);
  });

  it('keeps an event without a user or runs', async () => {
    await store.record({ ...order, userId: undefined, runs: [] });
    const stored = await store.get('segment', 'msg-1');
    expect(stored).toEqual({ ...order, userId: undefined, runs: [], received: expect.any(Number) });
    expect(stored && 'userId' in stored).toBe(false);
  });

  it('refuses a second record of the same event and keeps the first', async () => {
    expect(await store.record(order)).toBe(true);
    expect(await store.record({ ...order, event: 'identify', runs: ['run_other'] })).toBe(false);
    expect(await store.get('segment', 'msg-1')).toMatchObject({ event: 'track/Order Completed', runs: order.runs });
  });

  it('keys events by source and message id together', async () => {
    expect(await store.record(order)).toBe(true);
    expect(await store.record({ ...order, source: 'courier', runs: [] })).toBe(true);
    expect(await store.record({ ...order, messageId: 'msg-2' })).toBe(true);
    expect((await store.get('courier', 'msg-1'))?.runs).toEqual([]);
    expect(await store.get('courier', 'msg-2')).toBeUndefined();
  });

  it('records concurrent duplicates exactly once, without failing either', async () => {
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => store.record(order)));
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    const rows = await database.db.selectFrom('inbound_events').select('message_id').execute();
    expect(rows).toHaveLength(1);
  });
});
