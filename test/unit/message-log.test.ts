import type { HeraldDatabase } from '../../db/database';
import { createMessageLog, type HeraldMessageLog, type MessageFilter } from '../../db/message-log';
import { createMigrator, migrateToLatest } from '../../db/migrations';
import type { MessageIdentity } from '../../domain/message';
import { describeEachDatabase } from '../helpers/databases';

/**
 * The message log on real databases with the real migrations: in-memory SQLite, and a fresh schema on the
 * PostgreSQL server of TEST_DATABASE_URL.
 */
describeEachDatabase('message log', ({ open }) => {
  let database: HeraldDatabase | undefined;
  let log: HeraldMessageLog;
  beforeEach(async () => {
    database = await open();
    await migrateToLatest(database.db);
    log = createMessageLog(database, () => 1);
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
      enqueued: 1000 + counter,
      recipient: 'u1',
      event: 'WELCOME',
      notification: '',
      ...overrides,
    };
  }
  const sms = { channel: 'sms' as const, provider: 'twilio' as const };
  const smsOutput = { title: 'Shipped', text: 'Your order ORD-1 has shipped', html: '' };
  const sendgrid = { channel: 'email' as const, provider: 'sendgrid' as const };
  const smtp = { channel: 'email' as const, provider: 'smtp' as const };
  const emailOutput = { title: 'Welcome, Ada', text: 'Hello Ada', html: '<p>Hello Ada</p>' };

  const types = async (id: string) => (await log.history(id))?.map((event) => event.type);
  const ids = async (filter: MessageFilter, limit = 100) =>
    (await log.list(filter, { limit })).messages.map((message) => message.id);

  describe('history', () => {
    it('starts with ENQUEUED once, however often the gateway records it', async () => {
      const message = identity({ tags: ['a'] });
      await log.recordEnqueued(message);
      await log.recordEnqueued(message);
      expect(await log.history(message.id)).toEqual([
        { ts: message.enqueued, type: 'ENQUEUED', event: 'WELCOME', recipient: 'u1' },
      ]);
    });

    it('gets ENQUEUED first when the workflow writes before the gateway, and not again from the gateway', async () => {
      const message = identity();
      await log.apply(message, { at: 2000, status: 'UNMAPPED', error: 'template T is not known' });
      await log.recordEnqueued(message);
      expect(await log.history(message.id)).toEqual([
        { ts: message.enqueued, type: 'ENQUEUED', event: 'WELCOME', recipient: 'u1' },
        { ts: 2000, type: 'UNMAPPED' },
      ]);
    });

    it('records a delivered SMS as RENDERED, SENT, DELIVERED, once each, whatever is retried', async () => {
      const message = identity();
      await log.recordEnqueued(message);
      const sent = {
        at: 2000,
        status: 'SENT' as const,
        attempt: { ...sms, status: 'SENT' as const, reference: { sid: 'SM1' }, output: smsOutput },
      };
      await log.apply(message, sent);
      await log.apply(message, { ...sent, at: 2100 }); // the activity retried after its write
      const delivered = {
        at: 3000,
        status: 'DELIVERED' as const,
        attempt: { ...sms, status: 'DELIVERED' as const, reference: { sid: 'SM1' } },
      };
      await log.apply(message, delivered);
      await log.apply(message, { ...delivered, at: 3100 }); // Twilio retried its callback
      await log.apply(message, { ...delivered, at: 3200, attempt: { ...sms, status: 'DELIVERED' } }); // the poll
      await log.apply(message, { at: 3300, status: 'SENT', attempt: { ...sms, status: 'SENT' } }); // a late "sent"

      expect(await log.history(message.id)).toEqual([
        { ts: message.enqueued, type: 'ENQUEUED', event: 'WELCOME', recipient: 'u1' },
        {
          ts: 2000,
          type: 'RENDERED',
          channel: { id: 'sms' },
          integration: { id: 'twilio', provider: 'twilio' },
          output: { title: 'Shipped', body: smsOutput.text, subject: '', text: smsOutput.text, html: '' },
        },
        { ts: 2000, type: 'SENT', channel: { id: 'sms' }, integration: { id: 'twilio', provider: 'twilio' } },
        {
          ts: 3000,
          type: 'DELIVERED',
          channel: { id: 'sms' },
          integration: { id: 'twilio', provider: 'twilio' },
          reference: { sid: 'SM1' },
        },
      ]);
      expect(await log.history(message.id, ['DELIVERED', 'SENT'])).toEqual([
        expect.objectContaining({ type: 'SENT' }),
        expect.objectContaining({ type: 'DELIVERED' }),
      ]);
    });

    it('records opens and clicks once, and nothing for late or duplicate engagement', async () => {
      const message = identity();
      await log.recordEnqueued(message);
      const attempt = { ...sendgrid, reference: { 'x-message-id': 'X1' } };
      await log.apply(message, { at: 2, status: 'SENT', attempt: { ...attempt, status: 'SENT', output: emailOutput } });
      await log.apply(message, { at: 3, status: 'DELIVERED', attempt: { ...attempt, status: 'DELIVERED' } });
      await log.apply(message, { at: 4, status: 'OPENED', attempt: { ...attempt, status: 'OPENED' } });
      await log.apply(message, { at: 5, status: 'CLICKED', attempt: { ...attempt, status: 'CLICKED' } });
      await log.apply(message, { at: 6, status: 'CLICKED', attempt: { ...attempt, status: 'CLICKED' } });
      await log.apply(message, { at: 7, status: 'OPENED', attempt: { ...attempt, status: 'OPENED' } });
      await log.apply(message, { at: 8, attempt: { ...attempt, status: 'UNDELIVERABLE', error: 'late bounce' } });

      expect(await types(message.id)).toEqual(['ENQUEUED', 'RENDERED', 'SENT', 'DELIVERED', 'OPENED', 'CLICKED']);
      expect((await log.history(message.id, ['CLICKED']))?.[0]).toEqual({
        ts: 5,
        type: 'CLICKED',
        channel: { id: 'email' },
        integration: { id: 'sendgrid', provider: 'sendgrid' },
      });
      expect((await log.history(message.id, ['RENDERED']))?.[0].output).toEqual({
        title: 'Welcome, Ada',
        body: 'Hello Ada',
        subject: 'Welcome, Ada',
        text: 'Hello Ada',
        html: '<p>Hello Ada</p>',
      });
    });

    it('records failed attempts with their channel, and the message failing without one', async () => {
      const message = identity();
      await log.recordEnqueued(message);
      const bounce = { ...sendgrid, reference: { 'x-message-id': 'X1' }, error: 'sendgrid: 401' };
      await log.apply(message, { at: 2, attempt: { ...bounce, status: 'UNDELIVERABLE' } });
      await log.apply(message, { at: 3, attempt: { ...bounce, status: 'UNDELIVERABLE' } }); // SendGrid retried
      await log.apply(message, { at: 4, attempt: { ...smtp, status: 'UNDELIVERABLE', error: 'smtp: 550' } });
      const outcome = {
        at: 5,
        status: 'UNDELIVERABLE' as const,
        reason: 'PROVIDER_ERROR' as const,
        error: 'sendgrid: 401; smtp: 550',
      };
      await log.apply(message, outcome);
      await log.apply(message, { ...outcome, at: 6 });

      expect((await log.history(message.id))?.slice(1)).toEqual([
        {
          ts: 2,
          type: 'UNDELIVERABLE',
          reason: 'FAILED',
          error_message: 'sendgrid: 401',
          channel: { id: 'email' },
          integration: { id: 'sendgrid', provider: 'sendgrid' },
        },
        {
          ts: 4,
          type: 'UNDELIVERABLE',
          reason: 'FAILED',
          error_message: 'smtp: 550',
          channel: { id: 'email' },
          integration: { id: 'smtp', provider: 'smtp' },
        },
        { ts: 5, type: 'UNDELIVERABLE', reason: 'PROVIDER_ERROR', error_message: 'sendgrid: 401; smtp: 550' },
      ]);
    });

    it('records a retried undeliverable message going back to ENQUEUED, then its new attempt', async () => {
      const message = identity();
      await log.recordEnqueued(message);
      await log.apply(message, { at: 2, attempt: { ...sms, status: 'UNDELIVERABLE', error: 'twilio: 30003' } });
      await log.apply(message, { at: 3, status: 'UNDELIVERABLE', reason: 'FAILED', error: 'twilio: 30003' });
      await log.apply(message, { at: 4, reopen: true });
      await log.apply(message, { at: 4, reopen: true }); // only an undeliverable message reopens
      await log.apply(message, { at: 5, status: 'SENT', attempt: { ...sms, status: 'SENT', output: smsOutput } });
      const history = await log.history(message.id);
      expect(history?.map((event) => event.type)).toEqual([
        'ENQUEUED',
        'UNDELIVERABLE',
        'UNDELIVERABLE',
        'ENQUEUED',
        'RENDERED',
        'SENT',
      ]);
      expect(history?.[3]).toEqual({ ts: 4, type: 'ENQUEUED', event: 'WELCOME', recipient: 'u1' });
    });

    it('records UNROUTABLE with its reason, and one event per status the workflow decides', async () => {
      const unroutable = identity();
      await log.recordEnqueued(unroutable);
      const update = { at: 2, status: 'UNROUTABLE' as const, reason: 'NO_CHANNELS' as const, error: 'no phone' };
      await log.apply(unroutable, update);
      await log.apply(unroutable, update);
      expect((await log.history(unroutable.id))?.slice(1)).toEqual([
        { ts: 2, type: 'UNROUTABLE', reason: 'NO_CHANNELS', error_message: 'no phone' },
      ]);

      const delayed = identity();
      await log.recordEnqueued(delayed);
      await log.apply(delayed, { at: 2, status: 'DELAYED' });
      await log.apply(delayed, { at: 3, status: 'DELAYED' });
      await log.apply(delayed, { at: 4, status: 'CANCELED' });
      await log.apply(delayed, { at: 5, status: 'SENT', attempt: { ...sms, status: 'SENT', output: smsOutput } });
      // A canceled message takes no status, but what was rendered and tried is still what happened.
      expect(await types(delayed.id)).toEqual(['ENQUEUED', 'DELAYED', 'CANCELED', 'RENDERED', 'SENT']);
    });

    it('keeps the latest output of each attempt for /output, and records a re-render that differs', async () => {
      const message = identity();
      await log.recordEnqueued(message);
      await log.apply(message, { at: 2, attempt: { ...sendgrid, status: 'UNDELIVERABLE', error: 'x' } });
      await log.apply(message, { at: 3, status: 'SENT', attempt: { ...smtp, status: 'SENT', output: emailOutput } });
      await log.apply(message, { at: 4, status: 'SENT', attempt: { ...sms, status: 'SENT', output: smsOutput } });
      const second = { ...smsOutput, text: 'Your order ORD-2 has shipped' };
      await log.apply(message, { at: 5, status: 'SENT', attempt: { ...sms, status: 'SENT', output: second } });
      await log.apply(message, { at: 6, status: 'SENT', attempt: { ...sms, status: 'SENT', output: second } });

      expect(await types(message.id)).toEqual([
        'ENQUEUED',
        'UNDELIVERABLE',
        'RENDERED',
        'SENT',
        'RENDERED',
        'SENT',
        'RENDERED',
      ]);
      expect(await log.outputs(message.id)).toEqual([
        {
          channel: 'email',
          provider: 'smtp',
          output: {
            title: 'Welcome, Ada',
            body: 'Hello Ada',
            subject: 'Welcome, Ada',
            text: 'Hello Ada',
            html: '<p>Hello Ada</p>',
          },
        },
        {
          channel: 'sms',
          provider: 'twilio',
          output: { title: 'Shipped', body: second.text, subject: '', text: second.text, html: '' },
        },
      ]);
    });

    it('answers undefined for unknown messages, and no output for a message that rendered nothing', async () => {
      expect(await log.history('1-00000000-000000000000000000000000')).toBeUndefined();
      expect(await log.outputs('1-00000000-000000000000000000000000')).toBeUndefined();
      const message = identity();
      await log.recordEnqueued(message);
      expect(await log.outputs(message.id)).toEqual([]);
      expect(await log.history(message.id, ['SENT'])).toEqual([]);
    });
  });

  describe('listing', () => {
    it('filters in SQL by every parameter, any-match for lists', async () => {
      const a = identity({
        recipient: 'ada',
        event: 'ORDER',
        notification: 'T1',
        tags: ['orders', 'urgent'],
        traceId: 'tr-1',
      });
      const b = identity({ recipient: 'ada', event: 'NEWS', tags: ['news'] });
      const c = identity({ recipient: 'bob', event: 'ORDER', notification: 'T1' });
      for (const m of [a, b, c]) await log.recordEnqueued(m);
      await log.apply(a, { at: 5, status: 'SENT', attempt: { ...sms, status: 'SENT' } });
      await log.apply(a, { at: 6, status: 'DELIVERED', attempt: { ...sms, status: 'DELIVERED' } });
      await log.apply(b, { at: 5, attempt: { ...sendgrid, status: 'UNDELIVERABLE', error: 'x' } });
      await log.apply(b, { at: 6, status: 'SENT', attempt: { ...smtp, status: 'SENT' } });
      await log.apply(c, { at: 5, status: 'UNROUTABLE', reason: 'NO_CHANNELS' });

      expect(await ids({})).toEqual([c.id, b.id, a.id]);
      expect(await ids({ recipient: 'ada' })).toEqual([b.id, a.id]);
      expect(await ids({ statuses: ['DELIVERED', 'UNROUTABLE'] })).toEqual([c.id, a.id]);
      expect(await ids({ statuses: ['CLICKED'] })).toEqual([]);
      expect(await ids({ providers: ['sendgrid'] })).toEqual([b.id]);
      expect(await ids({ providers: ['twilio', 'smtp'] })).toEqual([b.id, a.id]);
      expect(await ids({ tags: ['urgent', 'news'] })).toEqual([b.id, a.id]);
      expect(await ids({ tags: ['nope'] })).toEqual([]);
      expect(await ids({ event: 'ORDER' })).toEqual([c.id, a.id]);
      expect(await ids({ notification: 'T1', recipient: 'bob' })).toEqual([c.id]);
      expect(await ids({ traceId: 'tr-1' })).toEqual([a.id]);
      expect(await ids({ messageId: b.id })).toEqual([b.id]);
      expect(await ids({ enqueuedAfter: a.enqueued })).toEqual([c.id, b.id]);
      expect(await ids({ list: 'l1' })).toEqual([]);
      expect(await ids({ tenantId: 't1' })).toEqual([]);
      expect(await ids({ archived: true })).toEqual([c.id, b.id, a.id]);
      expect(await ids({ archived: false, recipient: 'ada', tags: ['orders'], statuses: ['DELIVERED'] })).toEqual([
        a.id,
      ]);
    });

    it('lists the record without providers, as GET /messages/{id} shows it otherwise', async () => {
      const message = identity({ tags: ['t'], traceId: 'tr' });
      await log.recordEnqueued(message);
      await log.apply(message, { at: 5, status: 'SENT', attempt: { ...sms, status: 'SENT', reference: { sid: 'S' } } });
      const { providers, ...summary } = (await log.get(message.id))!;
      expect(providers).toHaveLength(1);
      expect((await log.list({}, { limit: 10 })).messages).toEqual([summary]);
      expect(summary).toMatchObject({ status: 'SENT', sent: 5, tags: ['t'], traceId: 'tr' });
    });

    it('pages newest first by (enqueued, id), with ties on enqueued broken by id, across cursors', async () => {
      const messages: MessageIdentity[] = [];
      for (let i = 0; i < 7; i++) {
        // Pairs share an enqueued time; ids are inserted out of order to show the order is not insertion's.
        const m = identity({ enqueued: 5000 + Math.floor(i / 2), id: `1-00000002-${String(7 - i).padStart(24, '0')}` });
        messages.push(m);
        await log.recordEnqueued(m);
      }
      const expected = [...messages].sort((x, y) => y.enqueued - x.enqueued || (y.id < x.id ? -1 : 1)).map((m) => m.id);

      const seen: string[] = [];
      let after: { enqueued: number; id: string } | undefined;
      let pages = 0;
      for (;;) {
        const page = await log.list({}, { after, limit: 3 });
        pages += 1;
        seen.push(...page.messages.map((m) => m.id));
        if (!page.more) break;
        const last = page.messages[page.messages.length - 1];
        after = { enqueued: last.enqueued, id: last.id };
      }
      expect(pages).toBe(3);
      expect(seen).toEqual(expected);

      // Exactly a page's worth left: `more` is false on it, no empty page after.
      const firstSix = await log.list({}, { limit: 6 });
      expect(firstSix.more).toBe(true);
      const rest = await log.list({}, { after: firstSix.messages[5], limit: 1 });
      expect(rest).toEqual({ messages: [expect.objectContaining({ id: expected[6] })], more: false });
    });

    it('pages a filtered list', async () => {
      const mine: string[] = [];
      for (let i = 0; i < 5; i++) {
        const m = identity({ tags: i % 2 === 0 ? ['even'] : ['odd'] });
        await log.recordEnqueued(m);
        if (i % 2 === 0) mine.unshift(m.id);
      }
      const first = await log.list({ tags: ['even'] }, { limit: 2 });
      expect(first.more).toBe(true);
      const last = first.messages[1];
      const second = await log.list({ tags: ['even'] }, { after: last, limit: 2 });
      expect([...first.messages, ...second.messages].map((m) => m.id)).toEqual(mine);
      expect(second.more).toBe(false);
    });
  });

  describe('concurrent writers of one message', () => {
    // On PostgreSQL these run on separate pooled connections at once: only the per-message write lock keeps each
    // read-merge-write whole. SQLite has a single writer anyway; the same expectations hold there.
    it('append ENQUEUED once when the gateway and several workflow writes race to create the record', async () => {
      const message = identity();
      const sent = { at: 2, status: 'SENT' as const, attempt: { ...sms, status: 'SENT' as const, output: smsOutput } };
      await Promise.all([
        log.recordEnqueued(message),
        ...Array.from({ length: 8 }, () => log.apply(message, sent)),
        log.recordEnqueued(message),
      ]);
      expect(await types(message.id)).toEqual(['ENQUEUED', 'RENDERED', 'SENT']);
    });

    it('keep every update when different attempts land at once', async () => {
      const message = identity();
      await log.recordEnqueued(message);
      const updates = [
        { at: 2, attempt: { ...sendgrid, status: 'UNDELIVERABLE' as const, error: 'x' } },
        { at: 3, attempt: { ...smtp, status: 'UNDELIVERABLE' as const, error: 'y' } },
        { at: 4, attempt: { ...sms, status: 'SENT' as const } },
      ];
      await Promise.all(updates.map((update) => log.apply(message, update)));
      const record = await log.get(message.id);
      expect(record?.providers.map((p) => `${p.provider}:${p.status}`).sort()).toEqual([
        'sendgrid:UNDELIVERABLE',
        'smtp:UNDELIVERABLE',
        'twilio:SENT',
      ]);
      const history = (await log.history(message.id)) ?? [];
      expect(history.filter((e) => e.type === 'UNDELIVERABLE')).toHaveLength(2);
      expect(history.filter((e) => e.type === 'SENT')).toHaveLength(1);
      expect(await ids({ providers: ['sendgrid', 'smtp', 'twilio'] })).toEqual([message.id]);
    });
  });

  it('0002 gives messages logged before it their tags, providers and an ENQUEUED event', async () => {
    const old = await open();
    try {
      const migrator = await createMigrator(old.db);
      expect((await migrator.migrateTo('0001_messages')).error).toBeUndefined();
      await old.db
        .insertInto('messages')
        .values({
          id: 'm-old',
          status: 'SENT',
          reason: null,
          error: null,
          enqueued: 42,
          sent: 43,
          delivered: null,
          opened: null,
          clicked: null,
          recipient: 'ada',
          event: 'E',
          notification: '',
          tags: JSON.stringify(['x', 'y', 'x']),
          trace_id: null,
          providers: JSON.stringify([
            { channel: { key: 'email', name: 'Email', template: '' }, provider: 'sendgrid', status: 'UNDELIVERABLE' },
            { channel: { key: 'email', name: 'Email', template: '' }, provider: 'smtp', status: 'SENT', sent: 43 },
          ]),
          updated: 43,
        })
        .execute();
      await migrateToLatest(old.db);
      const oldLog = createMessageLog(old);
      expect(await oldLog.history('m-old')).toEqual([{ ts: 42, type: 'ENQUEUED', event: 'E', recipient: 'ada' }]);
      expect((await oldLog.list({ tags: ['y'], providers: ['smtp'] }, { limit: 5 })).messages.map((m) => m.id)).toEqual(
        ['m-old'],
      );
    } finally {
      await old.close();
    }
  });
});
