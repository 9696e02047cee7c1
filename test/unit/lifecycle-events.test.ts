import {
  withLifecycleEvents,
  type MessageLifecycleReporter,
  type StatusChange,
} from '../../activities/lifecycle-events';
import type { HeraldDatabase } from '../../db/database';
import { createMessageLog, type HeraldMessageLog } from '../../db/message-log';
import { migrateToLatest } from '../../db/migrations';
import type { MessageIdentity } from '../../domain/message';
import { describeEachDatabase } from '../helpers/databases';

/** The lifecycle decorator over the real message log, with a reporter that only records what it hears. */
describeEachDatabase(withLifecycleEvents.name, ({ open }) => {
  let database: HeraldDatabase | undefined;
  let reported: StatusChange[];
  let warnings: Array<Record<string, unknown>>;
  let log: HeraldMessageLog;
  const recorder: MessageLifecycleReporter = { messageStatusChanged: (change) => void reported.push(change) };
  const logger = { warn: (details: Record<string, unknown>) => void warnings.push(details) };

  beforeEach(async () => {
    database = await open();
    await migrateToLatest(database.db);
    reported = [];
    warnings = [];
    log = withLifecycleEvents(
      createMessageLog(database, () => 1),
      recorder,
      logger,
    );
  });
  afterEach(async () => {
    await database?.close();
    database = undefined;
  });

  let counter = 0;
  function identity(overrides: Partial<MessageIdentity> = {}): MessageIdentity {
    counter += 1;
    return {
      id: `1-00000001-${String(counter).padStart(24, '0')}`,
      enqueued: 1000,
      recipient: 'user-1',
      event: 'ORDER_SHIPPED',
      notification: 'order-shipped',
      ...overrides,
    };
  }
  const email = { channel: 'email' as const, provider: 'sendgrid' as const, reference: { 'x-message-id': 'x1' } };
  const heard = () => reported.map((change) => [change.status, change.at]);

  it('reports SENT, DELIVERED, OPENED and CLICKED once each, at the time the record keeps for them', async () => {
    const message = identity();
    await log.recordEnqueued(message);
    await log.apply(message, { at: 2000, status: 'SENT', attempt: { ...email, status: 'SENT' } });
    await log.apply(message, { at: 3000, status: 'DELIVERED', attempt: { ...email, status: 'DELIVERED' } });
    await log.apply(message, { at: 3500, status: 'DELIVERED', attempt: { ...email, status: 'DELIVERED' } });
    await log.apply(message, { at: 4000, status: 'OPENED', attempt: { ...email, status: 'OPENED' } });
    await log.apply(message, { at: 5000, status: 'CLICKED', attempt: { ...email, status: 'CLICKED' } });

    expect(heard()).toEqual([
      ['SENT', 2000],
      ['DELIVERED', 3000],
      ['OPENED', 4000],
      ['CLICKED', 5000],
    ]);
    const clicked = reported[3]!.record;
    expect(clicked).toEqual(await log.get(message.id));
    expect(clicked).toMatchObject({ id: message.id, status: 'CLICKED', recipient: 'user-1', sent: 2000 });
  });

  it('reports nothing for a late, out-of-order status that the log ignores', async () => {
    const message = identity();
    await log.apply(message, { at: 3000, status: 'DELIVERED', attempt: { ...email, status: 'DELIVERED' } });
    await log.apply(message, { at: 2000, status: 'SENT', attempt: { ...email, status: 'SENT' } });
    expect(heard()).toEqual([['DELIVERED', 3000]]);
  });

  it('reports a failed attempt only when the workflow ends the message UNDELIVERABLE, with reason and error', async () => {
    const message = identity();
    await log.apply(message, { at: 2000, status: 'SENT', attempt: { ...email, status: 'SENT' } });
    await log.apply(message, { at: 2500, attempt: { ...email, status: 'UNDELIVERABLE', error: 'sendgrid: bounce' } });
    expect(heard()).toEqual([['SENT', 2000]]);

    await log.apply(message, { at: 2600, status: 'UNDELIVERABLE', reason: 'BOUNCED', error: 'sendgrid: bounce' });
    expect(heard()).toEqual([
      ['SENT', 2000],
      ['UNDELIVERABLE', 2600],
    ]);
    expect(reported[1]!.record).toMatchObject({ status: 'UNDELIVERABLE', reason: 'BOUNCED' });
  });

  it('reports UNROUTABLE written before the gateway recorded the message', async () => {
    const message = identity({ recipient: '' });
    await log.apply(message, { at: 1500, status: 'UNROUTABLE', reason: 'NO_CHANNELS' });
    await log.recordEnqueued(message);
    expect(heard()).toEqual([['UNROUTABLE', 1500]]);
    expect(reported[0]!.record).toMatchObject({ id: message.id, status: 'UNROUTABLE', reason: 'NO_CHANNELS' });
  });

  it('does not report statuses outside the lifecycle', async () => {
    for (const status of ['DELAYED', 'ROUTED', 'CANCELED'] as const) {
      await log.apply(identity(), { at: 2000, status });
    }
    await log.apply(identity(), { at: 2000, status: 'UNMAPPED', error: 'template T is not known' });
    await log.apply(identity(), { at: 2000, status: 'FILTERED', reason: 'UNSUBSCRIBED' });
    expect(reported).toEqual([]);
  });

  it('reports again after an operator reopened an undeliverable message', async () => {
    const message = identity();
    await log.apply(message, { at: 2000, status: 'UNDELIVERABLE', reason: 'PROVIDER_ERROR' });
    await log.apply(message, { at: 3000, reopen: true });
    await log.apply(message, { at: 4000, status: 'SENT', attempt: { ...email, status: 'SENT' } });
    expect(heard()).toEqual([
      ['UNDELIVERABLE', 2000],
      ['SENT', 4000],
    ]);
  });

  it('keeps the committed change when the reporter throws or rejects, and logs why', async () => {
    const failing: MessageLifecycleReporter[] = [
      {
        messageStatusChanged: () => {
          throw new Error('queue is closed');
        },
      },
      { messageStatusChanged: async () => Promise.reject(new Error('segment is down')) },
    ];
    for (const reporter of failing) {
      const message = identity();
      const failingLog = withLifecycleEvents(
        createMessageLog(database!, () => 1),
        reporter,
        logger,
      );
      const record = await failingLog.apply(message, {
        at: 2000,
        status: 'SENT',
        attempt: { ...email, status: 'SENT' },
      });
      expect(record.status).toBe('SENT');
      expect((await failingLog.get(message.id))?.status).toBe('SENT');
    }
    expect(warnings).toEqual([
      expect.objectContaining({ status: 'SENT', error: 'queue is closed' }),
      expect.objectContaining({ status: 'SENT', error: 'segment is down' }),
    ]);
  });

  it('leaves the rest of the message log as it was', async () => {
    const message = identity();
    await log.recordEnqueued(message);
    await log.apply(message, { at: 2000, status: 'SENT', attempt: { ...email, status: 'SENT' } });
    expect((await log.history(message.id))?.map((event) => event.type)).toEqual(['ENQUEUED', 'SENT']);
    expect((await log.list({ recipient: 'user-1', messageId: message.id }, { limit: 10 })).messages).toHaveLength(1);
  });
});
