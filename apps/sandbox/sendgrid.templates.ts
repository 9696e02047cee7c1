/**
 * SendGrid's Templates API data (providers.md §2.3) and the rendering Mail Send does with a dynamic template.
 * Plain data and functions: the routes live in `sendgrid.routes.ts`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import Handlebars from 'handlebars';
import { InvalidJson } from './body-parsers';
import type { SendGridFieldError } from './sendgrid.mail';

export type TemplateGeneration = 'legacy' | 'dynamic';
export const TEMPLATE_GENERATIONS: readonly TemplateGeneration[] = ['legacy', 'dynamic'];

export interface TemplateVersion {
  id: string;
  template_id: string;
  active: 0 | 1;
  name: string;
  subject: string;
  html_content: string;
  plain_content: string;
  generate_plain_content: boolean;
  editor: 'code' | 'design';
  test_data?: string;
  updated_at: string;
}

export interface SendGridTemplate {
  id: string;
  name: string;
  generation: TemplateGeneration;
  updated_at: string;
  versions: TemplateVersion[];
}

/** What `GET /v3/templates` shows of a version: no bodies, as SendGrid's lean listing. */
export type LeanTemplateVersion = Omit<TemplateVersion, 'html_content' | 'plain_content' | 'test_data'>;

/** `YYYY-MM-DD HH:mm:ss` in UTC, with no zone, as SendGrid writes `updated_at`. */
export function sendgridTimestamp(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 19).replace('T', ' ');
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof InvalidJson);
}

const fieldError = (message: string, field: string | null): SendGridFieldError => ({ message, field, help: null });

/** Templates in creation order, which is also the order `GET /v3/templates` pages through. */
export class SendGridTemplateStore {
  private readonly templates = new Map<string, SendGridTemplate>();

  get(id: string): SendGridTemplate | undefined {
    return this.templates.get(id);
  }

  list(generations: readonly TemplateGeneration[]): SendGridTemplate[] {
    return [...this.templates.values()].filter((t) => generations.includes(t.generation));
  }

  /** `POST /v3/templates` body → the new template, or SendGrid-style field errors. */
  create(body: unknown, now: number): SendGridTemplate | SendGridFieldError[] {
    if (!isObject(body)) return [fieldError('Bad Request', null)];
    const errors: SendGridFieldError[] = [];
    if (typeof body.name !== 'string' || body.name.trim() === '') errors.push(fieldError('name is required', 'name'));
    else if (body.name.length > 100) errors.push(fieldError('name must be at most 100 characters', 'name'));
    const generation = body.generation ?? 'legacy';
    if (!TEMPLATE_GENERATIONS.includes(generation as TemplateGeneration)) {
      errors.push(fieldError('generation must be legacy or dynamic', 'generation'));
    }
    if (errors.length > 0) return errors;
    const template: SendGridTemplate = {
      // Dynamic ids are `d-` + 32 hex (what Mail Send recognises as dynamic); legacy ids are UUIDs.
      id: generation === 'dynamic' ? `d-${randomBytes(16).toString('hex')}` : randomUUID(),
      name: body.name as string,
      generation: generation as TemplateGeneration,
      updated_at: sendgridTimestamp(now),
      versions: [],
    };
    this.templates.set(template.id, template);
    return template;
  }

  /**
   * `POST /v3/templates/{id}/versions` body → the new version, or field errors. The first version of a template
   * is active whatever it says, and an active version deactivates the others (SendGrid keeps exactly one).
   */
  addVersion(template: SendGridTemplate, body: unknown, now: number): TemplateVersion | SendGridFieldError[] {
    if (!isObject(body)) return [fieldError('Bad Request', null)];
    const errors: SendGridFieldError[] = [];
    const optionalString = (field: string) => {
      if (body[field] !== undefined && typeof body[field] !== 'string')
        errors.push(fieldError(`${field} must be a string`, field));
    };
    if (typeof body.name !== 'string' || body.name.trim() === '') errors.push(fieldError('name is required', 'name'));
    else if (body.name.length > 100) errors.push(fieldError('name must be at most 100 characters', 'name'));
    if (typeof body.subject !== 'string' || body.subject === '')
      errors.push(fieldError('subject is required', 'subject'));
    else if (body.subject.length > 255) errors.push(fieldError('subject must be at most 255 characters', 'subject'));
    optionalString('html_content');
    optionalString('plain_content');
    optionalString('test_data');
    if (body.active !== undefined && body.active !== 0 && body.active !== 1)
      errors.push(fieldError('active must be 0 or 1', 'active'));
    if (body.generate_plain_content !== undefined && typeof body.generate_plain_content !== 'boolean')
      errors.push(fieldError('generate_plain_content must be a boolean', 'generate_plain_content'));
    if (body.editor !== undefined && body.editor !== 'code' && body.editor !== 'design')
      errors.push(fieldError('editor must be code or design', 'editor'));
    if (errors.length > 0) return errors;

    const html = (body.html_content as string | undefined) ?? '';
    const generatePlain = (body.generate_plain_content as boolean | undefined) ?? true;
    const active: 0 | 1 = template.versions.length === 0 || body.active === 1 ? 1 : 0;
    const version: TemplateVersion = {
      id: randomUUID(),
      template_id: template.id,
      active,
      name: body.name as string,
      subject: body.subject as string,
      html_content: html,
      // SendGrid's default: the plain part is derived from the HTML, overwriting any plain_content given.
      plain_content: generatePlain && html !== '' ? htmlToText(html) : ((body.plain_content as string) ?? ''),
      generate_plain_content: generatePlain,
      editor: (body.editor as 'code' | 'design' | undefined) ?? 'code',
      ...(typeof body.test_data === 'string' ? { test_data: body.test_data } : {}),
      updated_at: sendgridTimestamp(now),
    };
    if (active === 1) for (const other of template.versions) other.active = 0;
    template.versions.push(version);
    template.updated_at = version.updated_at;
    return version;
  }

  clear(): void {
    this.templates.clear();
  }
}

export function leanTemplate(template: SendGridTemplate): Omit<SendGridTemplate, 'versions'> & {
  versions: LeanTemplateVersion[];
} {
  return {
    ...template,
    versions: template.versions.map(
      ({ html_content: _html, plain_content: _plain, test_data: _test, ...lean }) => lean,
    ),
  };
}

/** Handlebars problems in a version, reported the way SendGrid answers a version it can save but not render. */
export function versionWarnings(version: TemplateVersion): Array<{ message: string }> {
  const warnings: Array<{ message: string }> = [];
  for (const [field, source] of [
    ['subject', version.subject],
    ['html_content', version.html_content],
    ['plain_content', version.plain_content],
  ] as const) {
    try {
      sendgridHandlebars.parse(source);
    } catch (error) {
      warnings.push({ message: `${field}: ${(error as Error).message}` });
    }
  }
  return warnings;
}

/** Crude text from HTML, enough to stand in for SendGrid's generated plain content. */
function htmlToText(html: string): string {
  return html
    .replace(/<(style|script|head)[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|h[1-6]|li|tr|table)>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .split('\n')
    .map((line) => line.trim())
    .filter((line, i, lines) => line !== '' || (i > 0 && lines[i - 1] !== ''))
    .join('\n')
    .trim();
}

/**
 * A private Handlebars with the helpers SendGrid documents for dynamic templates (comparison, logic, `length`,
 * `insert`); `formatDate` is not emulated. As in SendGrid, `{{x}}` escapes HTML in every part, subject and plain
 * text included; `{{{x}}}` does not.
 */
const sendgridHandlebars = Handlebars.create();
type HelperOptions = Handlebars.HelperOptions;
function block(this: unknown, test: boolean, options: HelperOptions): string {
  return test ? options.fn(this) : options.inverse(this);
}
sendgridHandlebars.registerHelper('equals', function (this: unknown, a: unknown, b: unknown, options: HelperOptions) {
  // SendGrid compares loosely: `{{#equals count "3"}}` matches the number 3.
  return block.call(this, String(a) === String(b), options);
});
sendgridHandlebars.registerHelper(
  'notEquals',
  function (this: unknown, a: unknown, b: unknown, options: HelperOptions) {
    return block.call(this, String(a) !== String(b), options);
  },
);
sendgridHandlebars.registerHelper(
  'greaterThan',
  function (this: unknown, a: unknown, b: unknown, options: HelperOptions) {
    return block.call(this, Number(a) > Number(b), options);
  },
);
sendgridHandlebars.registerHelper('lessThan', function (this: unknown, a: unknown, b: unknown, options: HelperOptions) {
  return block.call(this, Number(a) < Number(b), options);
});
sendgridHandlebars.registerHelper('and', function (this: unknown, ...args: unknown[]) {
  const options = args.pop() as HelperOptions;
  return block.call(this, args.every(Boolean), options);
});
sendgridHandlebars.registerHelper('or', function (this: unknown, ...args: unknown[]) {
  const options = args.pop() as HelperOptions;
  return block.call(this, args.some(Boolean), options);
});
sendgridHandlebars.registerHelper('length', (value: unknown) =>
  Array.isArray(value) || typeof value === 'string' ? value.length : 0,
);
sendgridHandlebars.registerHelper('insert', (value: unknown, fallback: unknown) => {
  if (value !== undefined && value !== null && value !== '') return value;
  // `{{insert name "default=Customer"}}`
  return typeof fallback === 'string' && fallback.startsWith('default=') ? fallback.slice('default='.length) : '';
});

export interface RenderedTemplate {
  subject: string;
  html: string;
  text: string;
}

/** The active version of a dynamic template rendered with one personalization's `dynamic_template_data`. */
export function renderDynamicTemplate(version: TemplateVersion, data: Json): RenderedTemplate {
  const render = (source: string) => sendgridHandlebars.compile(source)(data);
  return { subject: render(version.subject), html: render(version.html_content), text: render(version.plain_content) };
}

export function activeVersion(template: SendGridTemplate): TemplateVersion | undefined {
  return template.versions.find((v) => v.active === 1);
}
