import {
  AliasTakenError,
  createAutomationTemplateStore,
  type AutomationTemplateInput,
  type HeraldAutomationTemplateStore,
} from '../../db/automation-templates';
import type { HeraldDatabase } from '../../db/database';
import { migrateToLatest } from '../../db/migrations';
import { describeEachDatabase } from '../helpers/databases';

/** Herald's automation template store on each database, with the real migrations. */
describeEachDatabase('automation template store', (testDatabase) => {
  let database: HeraldDatabase;
  let store: HeraldAutomationTemplateStore;

  beforeEach(async () => {
    database = await testDatabase.open();
    await migrateToLatest(database.db);
    store = createAutomationTemplateStore(database);
  });
  afterEach(() => database.close());

  const orderCompleted: AutomationTemplateInput = {
    id: 'order-completed',
    alias: 'thank-you',
    name: 'Order completed',
    status: 'published',
    definition: {
      cancelation_token: 'order-123',
      steps: [
        { action: 'delay', duration: 'PT2H' },
        {
          action: 'send',
          if: 'refs.data.properties.total > 100',
          message: { to: { user_id: { $ref: 'data.userId' } }, template: 'ORDER_THANK_YOU' },
        },
      ],
    },
    triggers: ['track/Order Completed', 'identify'],
  };
  const draft = (id: string, triggers: string[] = []): AutomationTemplateInput => ({
    id,
    name: id,
    status: 'draft',
    definition: { steps: [{ action: 'delay', duration: 'PT1M' }] },
    triggers,
  });
  const published = (id: string, triggers: string[] = []): AutomationTemplateInput => ({
    ...draft(id, triggers),
    status: 'published',
  });

  it('has no template until one is written, then reads back every field, by id and by alias', async () => {
    expect(await store.get('order-completed')).toBeUndefined();
    const before = Date.now();
    const written = await store.put(orderCompleted);
    expect(written).toEqual({
      ...orderCompleted,
      // Sorted by byte order: `i` before `t`.
      triggers: ['identify', 'track/Order Completed'],
      created: expect.any(Number),
      updated: written.created,
    });
    expect(written.created).toBeGreaterThanOrEqual(before);
    expect(await store.get('order-completed')).toEqual(written);
    expect(await store.get('thank-you')).toEqual(written);
    expect(await store.get('Thank-You')).toBeUndefined();
  });

  it('leaves alias out rather than null, and reads a template without triggers as []', async () => {
    await store.put(draft('plain'));
    const read = await store.get('plain');
    expect(read).toEqual({ ...draft('plain'), created: expect.any(Number), updated: expect.any(Number) });
    expect(Object.keys(read ?? {}).sort()).toEqual([
      'created',
      'definition',
      'id',
      'name',
      'status',
      'triggers',
      'updated',
    ]);
  });

  it('replaces every field and the triggers but keeps created', async () => {
    const first = await store.put(orderCompleted);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await store.put({
      id: 'order-completed',
      name: 'Renamed',
      status: 'draft',
      definition: { steps: [{ action: 'cancel', cancelation_token: 'x' }] },
      triggers: ['group', 'track/Order Completed', 'group'],
    });
    expect(second).toEqual({
      id: 'order-completed',
      name: 'Renamed',
      status: 'draft',
      definition: { steps: [{ action: 'cancel', cancelation_token: 'x' }] },
      triggers: ['group', 'track/Order Completed'],
      created: first.created,
      updated: expect.any(Number),
    });
    expect(second.updated).toBeGreaterThan(first.created);
    expect(await store.get('order-completed')).toEqual(second);
    // The old alias is free again and the dropped trigger is gone.
    expect(await store.get('thank-you')).toBeUndefined();
    expect(await store.listTriggers('identify')).toEqual([]);
  });

  it('refuses an alias or id that already names another template, and writes nothing', async () => {
    await store.put(orderCompleted);
    await store.put(draft('other', ['group']));

    const aliasAsAlias = store.put({ ...draft('other', ['identify']), alias: 'thank-you' });
    await expect(aliasAsAlias).rejects.toThrow(AliasTakenError);
    await expect(aliasAsAlias).rejects.toMatchObject({ alias: 'thank-you', takenBy: 'order-completed' });
    await expect(store.put({ ...draft('other'), alias: 'order-completed' })).rejects.toMatchObject({
      alias: 'order-completed',
      takenBy: 'order-completed',
    });
    await expect(store.put(draft('thank-you'))).rejects.toMatchObject({
      alias: 'thank-you',
      takenBy: 'order-completed',
    });

    expect(await store.get('other')).toMatchObject({ triggers: ['group'] });
    expect(await store.get('other')).not.toHaveProperty('alias');
    expect((await store.list()).items.map((t) => t.id)).toEqual(['order-completed', 'other']);
    // A template may keep its own alias, and use its id as alias.
    await expect(store.put({ ...orderCompleted, name: 'again' })).resolves.toMatchObject({ alias: 'thank-you' });
    await expect(store.put({ ...draft('other'), alias: 'other' })).resolves.toMatchObject({ alias: 'other' });
  });

  it('lists by id in byte order, page by page, optionally by status', async () => {
    // Upper case sorts before lower case and `-` before letters in byte order, whatever PostgreSQL's collation.
    const ids = ['b', 'a-2', 'B', 'a.1', 'c', 'a:3', 'a_4'];
    for (const [index, id] of ids.entries()) {
      await store.put(index % 2 === 0 ? published(id, [`track/${id}`]) : draft(id));
    }

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await store.list({ cursor, limit: 3 });
      pages += 1;
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((t) => t.id));
      cursor = page.cursor;
    } while (cursor !== undefined);
    expect(seen).toEqual(['B', 'a-2', 'a.1', 'a:3', 'a_4', 'b', 'c']);
    expect(pages).toBe(3);

    const all = await store.list();
    expect(all.cursor).toBeUndefined();
    expect(all.items.find((t) => t.id === 'b')).toMatchObject({ status: 'published', triggers: ['track/b'] });

    const publishedPage = await store.list({ status: 'published', limit: 2 });
    expect(publishedPage.items.map((t) => t.id)).toEqual(['B', 'a_4']);
    const rest = await store.list({ status: 'published', cursor: publishedPage.cursor });
    expect(rest.items.map((t) => t.id)).toEqual(['b', 'c']);
    expect(rest.cursor).toBeUndefined();
    expect((await store.list({ status: 'draft' })).items.map((t) => t.id)).toEqual(['a-2', 'a.1', 'a:3']);
  });

  it('gives no cursor when the last page is exactly full, and an empty page for an empty store', async () => {
    expect(await store.list()).toEqual({ items: [] });
    await store.put(draft('x'));
    await store.put(draft('y'));
    const page = await store.list({ limit: 2 });
    expect(page.items.map((t) => t.id)).toEqual(['x', 'y']);
    expect(page.cursor).toBeUndefined();
  });

  it('finds the published templates of a trigger, by id, each with all its triggers', async () => {
    await store.put(published('b-second', ['track/Order Completed', 'identify']));
    await store.put(published('A-first', ['track/Order Completed']));
    await store.put(draft('a-draft', ['track/Order Completed']));
    await store.put(published('unrelated', ['track/Order Refunded']));

    const started = await store.publishedForTrigger('track/Order Completed');
    expect(started.map((t) => t.id)).toEqual(['A-first', 'b-second']);
    expect(started[1]).toEqual({
      ...published('b-second'),
      triggers: ['identify', 'track/Order Completed'],
      created: expect.any(Number),
      updated: expect.any(Number),
    });
    // Event names match exactly.
    expect(await store.publishedForTrigger('track/order completed')).toEqual([]);
    expect(await store.publishedForTrigger('track/Order')).toEqual([]);

    // Publishing the draft makes it start; unpublishing one stops it.
    await store.put(published('a-draft', ['track/Order Completed']));
    await store.put(draft('A-first', ['track/Order Completed']));
    expect((await store.publishedForTrigger('track/Order Completed')).map((t) => t.id)).toEqual([
      'a-draft',
      'b-second',
    ]);
  });

  it('lists triggers, all or of one event, drafts included', async () => {
    await store.put(published('p', ['track/Order Completed', 'identify']));
    await store.put(draft('d', ['track/Order Completed']));
    expect(await store.listTriggers()).toEqual([
      { event: 'identify', template_id: 'p' },
      { event: 'track/Order Completed', template_id: 'd' },
      { event: 'track/Order Completed', template_id: 'p' },
    ]);
    expect(await store.listTriggers('track/Order Completed')).toEqual([
      { event: 'track/Order Completed', template_id: 'd' },
      { event: 'track/Order Completed', template_id: 'p' },
    ]);
    expect(await store.listTriggers('group')).toEqual([]);
  });

  it('deletes a template with its triggers: true once, false after; an alias is not a handle for delete', async () => {
    await store.put(orderCompleted);
    await store.put(published('other', ['track/Order Completed']));
    expect(await store.delete('thank-you')).toBe(false);
    expect(await store.delete('order-completed')).toBe(true);
    expect(await store.delete('order-completed')).toBe(false);
    expect(await store.get('order-completed')).toBeUndefined();
    expect(await store.get('thank-you')).toBeUndefined();
    expect(await store.listTriggers()).toEqual([{ event: 'track/Order Completed', template_id: 'other' }]);
    expect((await store.publishedForTrigger('track/Order Completed')).map((t) => t.id)).toEqual(['other']);
    // Its alias can be taken by another template now.
    await expect(store.put({ ...draft('third'), alias: 'thank-you' })).resolves.toMatchObject({ alias: 'thank-you' });
  });

  it('serialises concurrent writes that claim the same alias: one wins, the other is refused', async () => {
    const results = await Promise.allSettled([
      store.put({ ...draft('first'), alias: 'shared' }),
      store.put({ ...draft('second'), alias: 'shared' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const [refused] = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused.reason).toBeInstanceOf(AliasTakenError);
    expect((await store.get('shared'))?.alias).toBe('shared');
  });
});
