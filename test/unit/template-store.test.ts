import type { HeraldDatabase } from '../../db/database';
import { migrateToLatest } from '../../db/migrations';
import { createTemplateStore, type HeraldTemplateStore, type TemplateInput } from '../../db/templates';
import { describeEachDatabase } from '../helpers/databases';

/** Herald's template store on each database, with the real migrations. */
describeEachDatabase('template store', (testDatabase) => {
  let database: HeraldDatabase;
  let store: HeraldTemplateStore;

  beforeEach(async () => {
    database = await testDatabase.open();
    await migrateToLatest(database.db);
    store = createTemplateStore(database);
  });
  afterEach(() => database.close());

  const welcome: TemplateInput = {
    id: 'welcome',
    name: 'Welcome',
    topic_id: 'product-news',
    content: {
      email: { subject: 'Hi {{profile.name}}', html: '<p>Hello {{name}}</p>', text: 'Hello {{name}}' },
      sms: { body: 'Hello {{name}}' },
    },
    routing: { method: 'single', channels: ['email', { method: 'all', channels: ['sms', 'push'] }] },
    source: 'sendgrid:d-0123456789abcdef0123456789abcdef',
  };

  it('has no template until one is written, then reads back every field', async () => {
    expect(await store.get('welcome')).toBeUndefined();
    const before = Date.now();
    const written = await store.put(welcome);
    expect(written).toEqual({ ...welcome, created: expect.any(Number), updated: written.created });
    expect(written.created).toBeGreaterThanOrEqual(before);
    expect(await store.get('welcome')).toEqual(written);
  });

  it('leaves optional fields out rather than null', async () => {
    await store.put({ id: 'plain', name: 'plain', content: { default: { body: 'hi' } } });
    const read = await store.get('plain');
    expect(read).toEqual({
      id: 'plain',
      name: 'plain',
      content: { default: { body: 'hi' } },
      created: expect.any(Number),
      updated: expect.any(Number),
    });
    // toEqual ignores keys holding undefined, so check the keys themselves.
    expect(Object.keys(read ?? {}).sort()).toEqual(['content', 'created', 'id', 'name', 'updated']);
  });

  it('replaces every field but keeps created', async () => {
    const first = await store.put(welcome);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await store.put({ id: 'welcome', name: 'Renamed', content: { push: { body: 'New' } } });
    expect(second).toEqual({
      id: 'welcome',
      name: 'Renamed',
      content: { push: { body: 'New' } },
      created: first.created,
      updated: expect.any(Number),
    });
    expect(second.updated).toBeGreaterThan(first.created);
    expect(await store.get('welcome')).toEqual(second);
  });

  it('lists by id in byte order, page by page', async () => {
    // Upper case sorts before lower case and `-` before letters in byte order, whatever PostgreSQL's collation.
    const ids = ['b', 'a-2', 'B', 'a.1', 'c', 'a:3', 'a_4'];
    for (const id of ids) await store.put({ id, name: id, content: { default: { body: id } } });

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
    expect(all.items.map((t) => t.id)).toEqual(seen);
    expect(all.items[0]).toMatchObject({ content: { default: { body: 'B' } } });
  });

  it('gives no cursor when the last page is exactly full, and an empty page for an empty store', async () => {
    expect(await store.list()).toEqual({ items: [] });
    await store.put({ id: 'x', name: 'x', content: { default: { body: 'x' } } });
    await store.put({ id: 'y', name: 'y', content: { default: { body: 'y' } } });
    const page = await store.list({ limit: 2 });
    expect(page.items.map((t) => t.id)).toEqual(['x', 'y']);
    expect(page.cursor).toBeUndefined();
  });

  it('deletes: true once, false after', async () => {
    await store.put(welcome);
    await store.put({ id: 'other', name: 'other', content: { default: { body: 'o' } } });
    expect(await store.delete('welcome')).toBe(true);
    expect(await store.delete('welcome')).toBe(false);
    expect(await store.get('welcome')).toBeUndefined();
    expect(await store.get('other')).toMatchObject({ id: 'other' });
  });
});
