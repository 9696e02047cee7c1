import { sql, type Kysely } from 'kysely';
import type { AutomationDefinition } from '../domain/automation';
import type { HeraldDatabase } from './database';
import type { AutomationTemplatesTable, Database } from './schema';

export type AutomationTemplateStatus = 'published' | 'draft';

/** A stored automation: its steps, and the inbound events (`track/<Event Name>`, `identify`, `group`) that start it. */
export interface AutomationTemplate {
  id: string;
  /** A second name it can be invoked and read by. */
  alias?: string;
  name: string;
  /** Only published templates run from triggers or by id. */
  status: AutomationTemplateStatus;
  definition: AutomationDefinition;
  /** Sorted, no duplicates. */
  triggers: string[];
  /** Epoch ms. */
  created: number;
  updated: number;
}

/** What a caller writes: the template without the timestamps, which the store keeps. */
export type AutomationTemplateInput = Omit<AutomationTemplate, 'created' | 'updated'>;

export interface AutomationTemplatePage {
  items: AutomationTemplate[];
  /** Present only when there are more templates: pass it back to get the next page. */
  cursor?: string;
}

export interface AutomationTrigger {
  event: string;
  template_id: string;
}

export interface HeraldAutomationTemplateStore {
  /** By id, else by alias. */
  get(idOrAlias: string): Promise<AutomationTemplate | undefined>;
  /** Templates by id, `limit` (default 20, at most 100) a page, starting after `cursor`; only `status` if given. */
  list(options?: {
    cursor?: string;
    limit?: number;
    status?: AutomationTemplateStatus;
  }): Promise<AutomationTemplatePage>;
  /**
   * Creates the template or replaces every field of it, triggers included; a replaced template keeps its
   * `created`. Throws {@link AliasTakenError} when its alias or id already names another template.
   */
  put(template: AutomationTemplateInput): Promise<AutomationTemplate>;
  /** Deletes the template (by id, not alias) and its triggers. True when there was one. */
  delete(id: string): Promise<boolean>;
  /** The published templates `event` starts, by id. */
  publishedForTrigger(event: string): Promise<AutomationTemplate[]>;
  /** Every trigger of every template (drafts too), or only those of `event`; by event, then template id. */
  listTriggers(event?: string): Promise<AutomationTrigger[]>;
}

/** Thrown when a template's alias or id is already the id or alias of another template. */
export class AliasTakenError extends Error {
  override readonly name = 'AliasTakenError';

  constructor(
    /** The contested name. */
    readonly alias: string,
    /** The template it already names. */
    readonly takenBy: string,
  ) {
    super(`"${alias}" already names automation template ${takenBy}`);
  }
}

export const DEFAULT_AUTOMATION_TEMPLATE_PAGE = 20;
export const MAX_AUTOMATION_TEMPLATE_PAGE = 100;

/**
 * Every write takes this one lock rather than one per template: whether an alias is free depends on every other
 * template, and writes are rare enough that serialising them costs nothing.
 */
const WRITE_LOCK = 'automation-templates';

/** Code-unit order, not the locale's: trigger lists read the same whatever the machine or database. */
const byBytes = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function toTemplate(row: AutomationTemplatesTable, triggers: string[]): AutomationTemplate {
  return {
    id: row.id,
    ...(row.alias !== null ? { alias: row.alias } : {}),
    name: row.name,
    status: row.status as AutomationTemplateStatus,
    definition: JSON.parse(row.definition) as AutomationDefinition,
    triggers,
    created: row.created,
    updated: row.updated,
  };
}

export function createAutomationTemplateStore(database: HeraldDatabase): HeraldAutomationTemplateStore {
  // PostgreSQL orders text by the database's collation; byte order makes a page boundary mean the same everywhere.
  const byteOrdered = (column: 'id' | 'automation_templates.id') =>
    database.dialect === 'postgres' ? sql<string>`${sql.ref(column)} collate "C"` : sql<string>`${sql.ref(column)}`;

  /** Rows with their triggers, in the rows' order. */
  const withTriggers = async (db: Kysely<Database>, rows: AutomationTemplatesTable[]) => {
    if (rows.length === 0) return [];
    const ids = rows.map((row) => row.id);
    const triggerRows = await db
      .selectFrom('automation_triggers')
      .select(['template_id', 'event'])
      .where('template_id', 'in', ids)
      .execute();
    const byTemplate = new Map<string, string[]>();
    for (const { template_id, event } of triggerRows) {
      const events = byTemplate.get(template_id) ?? [];
      events.push(event);
      byTemplate.set(template_id, events);
    }
    return rows.map((row) => toTemplate(row, (byTemplate.get(row.id) ?? []).sort(byBytes)));
  };

  const findOne = async (db: Kysely<Database>, column: 'id' | 'alias', value: string) => {
    const row = await db.selectFrom('automation_templates').selectAll().where(column, '=', value).executeTakeFirst();
    return row ? (await withTriggers(db, [row]))[0] : undefined;
  };

  return {
    get: async (idOrAlias) =>
      (await findOne(database.db, 'id', idOrAlias)) ?? (await findOne(database.db, 'alias', idOrAlias)),

    async list({ cursor, limit, status } = {}) {
      const size = Math.min(
        Math.max(Math.trunc(limit ?? DEFAULT_AUTOMATION_TEMPLATE_PAGE), 1),
        MAX_AUTOMATION_TEMPLATE_PAGE,
      );
      let query = database.db.selectFrom('automation_templates').selectAll();
      if (status !== undefined) query = query.where('status', '=', status);
      if (cursor !== undefined) query = query.where(byteOrdered('id'), '>', cursor);
      // One extra row says whether another page exists without a count.
      const rows = await query
        .orderBy(byteOrdered('id'))
        .limit(size + 1)
        .execute();
      const items = await withTriggers(database.db, rows.slice(0, size));
      return rows.length > size ? { items, cursor: items[items.length - 1].id } : { items };
    },

    put: (template) =>
      database.writeTransaction(WRITE_LOCK, async (trx) => {
        const names = template.alias !== undefined ? [template.id, template.alias] : [template.id];
        const clash = await trx
          .selectFrom('automation_templates')
          .select(['id', 'alias'])
          .where('id', '!=', template.id)
          .where((eb) => {
            const clashes = [eb('alias', 'in', names)];
            if (template.alias !== undefined) clashes.push(eb('id', '=', template.alias));
            return eb.or(clashes);
          })
          .executeTakeFirst();
        if (clash) {
          // Either this template's alias is taken (as an id or an alias), or its id is another template's alias.
          const aliasTaken =
            template.alias !== undefined && (clash.id === template.alias || clash.alias === template.alias);
          throw new AliasTakenError(aliasTaken ? (template.alias as string) : template.id, clash.id);
        }

        const existing = await trx
          .selectFrom('automation_templates')
          .select('created')
          .where('id', '=', template.id)
          .executeTakeFirst();
        const now = Date.now();
        const row: AutomationTemplatesTable = {
          id: template.id,
          alias: template.alias ?? null,
          name: template.name,
          status: template.status,
          definition: JSON.stringify(template.definition),
          created: existing?.created ?? now,
          updated: now,
        };
        if (existing) {
          const { id: _id, created: _created, ...fields } = row;
          await trx.updateTable('automation_templates').set(fields).where('id', '=', template.id).execute();
        } else {
          await trx.insertInto('automation_templates').values(row).execute();
        }

        // Triggers that stay keep their own `created`: only the ones dropped and added change.
        const triggers = [...new Set(template.triggers)].sort(byBytes);
        const current = await trx
          .selectFrom('automation_triggers')
          .select('event')
          .where('template_id', '=', template.id)
          .execute();
        const dropped = current.map((t) => t.event).filter((event) => !triggers.includes(event));
        const added = triggers.filter((event) => !current.some((t) => t.event === event));
        if (dropped.length > 0) {
          await trx
            .deleteFrom('automation_triggers')
            .where('template_id', '=', template.id)
            .where('event', 'in', dropped)
            .execute();
        }
        if (added.length > 0) {
          await trx
            .insertInto('automation_triggers')
            .values(added.map((event) => ({ event, template_id: template.id, created: now })))
            .execute();
        }
        return toTemplate(row, triggers);
      }),

    delete: (id) =>
      database.writeTransaction(WRITE_LOCK, async (trx) => {
        await trx.deleteFrom('automation_triggers').where('template_id', '=', id).execute();
        const result = await trx.deleteFrom('automation_templates').where('id', '=', id).executeTakeFirst();
        return Number(result.numDeletedRows) > 0;
      }),

    async publishedForTrigger(event) {
      const rows = await database.db
        .selectFrom('automation_triggers')
        .innerJoin('automation_templates', 'automation_templates.id', 'automation_triggers.template_id')
        .selectAll('automation_templates')
        .where('automation_triggers.event', '=', event)
        .where('automation_templates.status', '=', 'published')
        .orderBy(byteOrdered('automation_templates.id'))
        .execute();
      return withTriggers(database.db, rows);
    },

    async listTriggers(event) {
      let query = database.db.selectFrom('automation_triggers').select(['event', 'template_id']);
      if (event !== undefined) query = query.where('event', '=', event);
      const rows = await query.execute();
      return rows
        .map(({ event, template_id }) => ({ event, template_id }))
        .sort((a, b) => byBytes(a.event, b.event) || byBytes(a.template_id, b.template_id));
    },
  };
}
