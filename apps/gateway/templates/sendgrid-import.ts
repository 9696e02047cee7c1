import { createSendGridApiClient, type SendGridApiSettings } from '../../../activities/providers/sendgrid-client';
import type { HeraldTemplateStore } from '../../../db/templates';
import { isSendgridTemplateId, type Template, type TemplateContent } from '../../../domain/template';
import { findTemplateSyntaxError } from './templates.schema';

/** One version of a SendGrid template, as `GET /v3/templates/{id}` gives it (providers.md §2.3). */
export interface SendGridTemplateVersion {
  id: string;
  active: number;
  name?: string;
  subject?: string;
  html_content?: string;
  plain_content?: string;
}

export interface SendGridTemplate {
  id: string;
  name: string;
  generation: string;
  versions?: SendGridTemplateVersion[];
}

/** Thrown when SendGrid cannot be reached or refuses us (bad key, rate limit, outage): the import stops. */
export class SendGridUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SendGridUnavailable';
  }
}

/** What the import reads from SendGrid. */
export interface SendGridTemplateSource {
  /** Ids of every dynamic template, across all of SendGrid's pages. */
  listDynamicTemplateIds(): Promise<string[]>;
  /** The template with its versions' bodies; undefined when SendGrid has no such template. */
  getTemplate(id: string): Promise<SendGridTemplate | undefined>;
}

export interface ImportResult {
  imported: Array<{ id: string; name: string; source: string }>;
  skipped: Array<{ sendgrid_id: string; reason: string }>;
}

/** SendGrid's largest page. */
const PAGE_SIZE = 200;
/** A server that kept inventing page tokens would otherwise page forever. */
const MAX_PAGES = 1000;

interface SendGridErrorShape {
  code?: number | string;
  message?: string;
  response?: { body?: { errors?: Array<{ message?: string }> } };
}

function unavailable(error: unknown, what: string): SendGridUnavailable {
  const failure = (error ?? {}) as SendGridErrorShape;
  // The SDK puts the HTTP status in `code`; network errors carry a string code such as ECONNREFUSED.
  if (typeof failure.code === 'number') {
    const reasons = failure.response?.body?.errors
      ?.map((e) => e.message)
      .filter(Boolean)
      .join('; ');
    const hint = failure.code === 401 || failure.code === 403 ? ' (check SENDGRID_API_KEY)' : '';
    return new SendGridUnavailable(
      `SendGrid answered ${what} with ${failure.code} ${failure.message ?? ''}`.trimEnd() +
        (reasons ? `: ${reasons}` : '') +
        hint,
    );
  }
  return new SendGridUnavailable(
    `SendGrid could not be reached for ${what}: ${failure.code ?? failure.message ?? String(error)}`,
  );
}

/** SendGrid's Templates API through the official `@sendgrid/client`. */
export function createSendGridTemplateSource(settings: SendGridApiSettings): SendGridTemplateSource {
  const client = createSendGridApiClient(settings);

  return {
    async listDynamicTemplateIds() {
      const ids: string[] = [];
      const seenTokens = new Set<string>();
      let pageToken: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const qs = { generations: 'dynamic', page_size: PAGE_SIZE, ...(pageToken ? { page_token: pageToken } : {}) };
        let body: { result?: SendGridTemplate[]; _metadata?: { next?: string } };
        try {
          [, body] = await client.request({ method: 'GET', url: '/v3/templates', qs });
        } catch (error) {
          throw unavailable(error, 'GET /v3/templates');
        }
        if (!Array.isArray(body?.result)) {
          throw new SendGridUnavailable('SendGrid answered GET /v3/templates with something that is not a page');
        }
        ids.push(...body.result.filter((t) => t.generation === 'dynamic').map((t) => t.id));
        // `next` is an absolute api.sendgrid.com URL; only its token is ours to use, against our own base URL.
        const nextUrl = body._metadata?.next;
        const next = nextUrl ? new URL(nextUrl, 'https://api.sendgrid.com').searchParams.get('page_token') : null;
        if (!next || seenTokens.has(next)) break;
        seenTokens.add(next);
        pageToken = next;
      }
      return ids;
    },

    async getTemplate(id) {
      let body: Partial<SendGridTemplate> | undefined;
      try {
        [, body] = await client.request({ method: 'GET', url: `/v3/templates/${encodeURIComponent(id)}` });
      } catch (error) {
        if ((error as SendGridErrorShape).code === 404) return undefined;
        throw unavailable(error, `GET /v3/templates/${id}`);
      }
      if (typeof body?.id !== 'string' || typeof body.name !== 'string') {
        throw new SendGridUnavailable(
          `SendGrid answered GET /v3/templates/${id} with something that is not a template`,
        );
      }
      return body as SendGridTemplate;
    },
  };
}

/**
 * The Herald id for a SendGrid template name: lower case, accents dropped, every run of other characters one
 * `-`. A name with nothing usable (or that slugs to a `d-` id) falls back to `sendgrid-<hex of the d- id>`.
 */
export function templateSlug(name: string, sendgridId: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 128)
    .replace(/^-+|-+$/g, '');
  return slug && !isSendgridTemplateId(slug) ? slug : `sendgrid-${sendgridId.replace(/^d-/, '')}`;
}

function emailContent(version: SendGridTemplateVersion): TemplateContent {
  return {
    email: {
      subject: version.subject ?? '',
      ...(version.html_content ? { html: version.html_content } : {}),
      ...(version.plain_content ? { text: version.plain_content } : {}),
    },
  };
}

/** Every Herald template that came from SendGrid, by source. The table is small enough to read whole. */
async function importedBySource(store: HeraldTemplateStore): Promise<Map<string, Template>> {
  const bySource = new Map<string, Template>();
  let cursor: string | undefined;
  do {
    const page = await store.list({ cursor, limit: 100 });
    for (const template of page.items) if (template.source) bySource.set(template.source, template);
    cursor = page.cursor;
  } while (cursor !== undefined);
  return bySource;
}

/**
 * Imports SendGrid dynamic templates (all, or those in `ids`) as Herald email templates: the active version's
 * subject, HTML and plain text. A template imported before is updated in place, under the id it got then, even
 * if it was renamed in SendGrid. A new one takes the slug of its name, unless a template from elsewhere holds
 * that id: then it is skipped, never overwritten. (A `PUT /templates/{id}` clears `source`, so a template
 * edited in Herald counts as Herald's and is left alone from then on.) Stops with `SendGridUnavailable` when
 * SendGrid fails; what was imported until then stays, and running the import again is safe.
 */
export async function importSendGridTemplates(
  source: SendGridTemplateSource,
  store: HeraldTemplateStore,
  ids?: string[],
): Promise<ImportResult> {
  const result: ImportResult = { imported: [], skipped: [] };
  const skip = (sendgridId: string, reason: string) => result.skipped.push({ sendgrid_id: sendgridId, reason });
  const previous = await importedBySource(store);

  for (const sendgridId of [...new Set(ids ?? (await source.listDynamicTemplateIds()))]) {
    const template = await source.getTemplate(sendgridId);
    if (!template) {
      skip(sendgridId, 'SendGrid has no template with this id');
      continue;
    }
    if (template.generation !== 'dynamic') {
      skip(sendgridId, `a ${template.generation} template: only dynamic templates are imported`);
      continue;
    }
    const version = template.versions?.find((v) => v.active === 1);
    if (!version) {
      skip(sendgridId, 'the template has no active version');
      continue;
    }
    const content = emailContent(version);
    const syntaxError = findTemplateSyntaxError(content);
    if (syntaxError) {
      skip(sendgridId, syntaxError);
      continue;
    }

    const origin = `sendgrid:${template.id}`;
    const earlier = previous.get(origin);
    const id = earlier?.id ?? templateSlug(template.name, template.id);
    if (!earlier) {
      const holder = await store.get(id);
      if (holder) {
        const from = holder.source ? `imported from ${holder.source}` : 'written through the API';
        skip(sendgridId, `template id ${id} is taken by a template ${from}`);
        continue;
      }
    }
    const saved = await store.put({ id, name: template.name, content, source: origin });
    previous.set(origin, saved);
    result.imported.push({ id: saved.id, name: saved.name, source: origin });
  }
  return result;
}
