import { sql, type Kysely } from 'kysely';
import type { RoutingNode } from '../domain/message';
import type { Template, TemplateContent } from '../domain/template';
import type { HeraldDatabase } from './database';
import type { Database, TemplatesTable } from './schema';

/** What a caller writes: the template without the timestamps, which the store keeps. */
export type TemplateInput = Omit<Template, 'created' | 'updated'>;

export interface TemplatePage {
  items: Template[];
  /** Present only when there are more templates: pass it back to get the next page. */
  cursor?: string;
}

export interface HeraldTemplateStore {
  get(id: string): Promise<Template | undefined>;
  /** Templates by id, `limit` (default 20, at most 100) a page, starting after `cursor`. */
  list(options?: { cursor?: string; limit?: number }): Promise<TemplatePage>;
  /** Creates the template or replaces every field of it; a replaced template keeps its `created`. */
  put(template: TemplateInput): Promise<Template>;
  /** True when there was one. */
  delete(id: string): Promise<boolean>;
}

export const DEFAULT_TEMPLATE_PAGE = 20;
export const MAX_TEMPLATE_PAGE = 100;

function toTemplate(row: TemplatesTable): Template {
  return {
    id: row.id,
    name: row.name,
    ...(row.topic_id !== null ? { topic_id: row.topic_id } : {}),
    content: JSON.parse(row.content) as TemplateContent,
    ...(row.routing !== null ? { routing: JSON.parse(row.routing) as RoutingNode } : {}),
    ...(row.source !== null ? { source: row.source } : {}),
    created: row.created,
    updated: row.updated,
  };
}

export function createTemplateStore(database: HeraldDatabase): HeraldTemplateStore {
  // PostgreSQL orders text by the database's collation (often case-insensitive and blind to punctuation); byte
  // order makes a page boundary mean the same on both databases.
  const byteOrderedId = database.dialect === 'postgres' ? sql<string>`id collate "C"` : sql<string>`id`;

  const read = async (db: Kysely<Database>, id: string): Promise<Template | undefined> => {
    const row = await db.selectFrom('templates').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toTemplate(row) : undefined;
  };

  return {
    get: (id) => read(database.db, id),

    async list({ cursor, limit } = {}) {
      const size = Math.min(Math.max(Math.trunc(limit ?? DEFAULT_TEMPLATE_PAGE), 1), MAX_TEMPLATE_PAGE);
      let query = database.db.selectFrom('templates').selectAll();
      if (cursor !== undefined) query = query.where(byteOrderedId, '>', cursor);
      // One extra row says whether another page exists without a count.
      const rows = await query
        .orderBy(byteOrderedId)
        .limit(size + 1)
        .execute();
      const items = rows.slice(0, size).map(toTemplate);
      return rows.length > size ? { items, cursor: items[items.length - 1].id } : { items };
    },

    put: (template) =>
      database.writeTransaction(`template:${template.id}`, async (trx) => {
        const existing = await trx
          .selectFrom('templates')
          .select('created')
          .where('id', '=', template.id)
          .executeTakeFirst();
        const now = Date.now();
        const row: TemplatesTable = {
          id: template.id,
          name: template.name,
          topic_id: template.topic_id ?? null,
          content: JSON.stringify(template.content),
          routing: template.routing ? JSON.stringify(template.routing) : null,
          source: template.source ?? null,
          created: existing?.created ?? now,
          updated: now,
        };
        if (existing) {
          const { id: _id, created: _created, ...fields } = row;
          await trx.updateTable('templates').set(fields).where('id', '=', template.id).execute();
        } else {
          await trx.insertInto('templates').values(row).execute();
        }
        return toTemplate(row);
      }),

    delete: (id) =>
      database.writeTransaction(`template:${id}`, async (trx) => {
        const result = await trx.deleteFrom('templates').where('id', '=', id).executeTakeFirst();
        return Number(result.numDeletedRows) > 0;
      }),
  };
}
