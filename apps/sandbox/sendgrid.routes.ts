/**
 * SendGrid v3 Mail Send and the Templates API subset an importer calls, under `/sendgrid` (providers.md §2).
 * `@sendgrid/client` turns the HTTP reason phrase into the error message and the status into `err.code`, so both
 * must be the standard ones.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseBearer, sameSecret } from './auth';
import type { SandboxContext } from './context';
import { providerRoute, recordUnknown, type ProviderApi, type ProviderReply } from './provider-route';
import { scheduleDeliveryEvents } from './sendgrid.events';
import { isSandboxMode, summarizeMail, validateMail } from './sendgrid.mail';
import {
  activeVersion,
  leanTemplate,
  renderDynamicTemplate,
  TEMPLATE_GENERATIONS,
  versionWarnings,
  type RenderedTemplate,
  type TemplateGeneration,
} from './sendgrid.templates';
import type { StoredMessage } from './store';

function errorReply(status: number, message: string, field: string | null = null): ProviderReply {
  const reply: ProviderReply = { status, body: { errors: [{ message, field, help: null }] } };
  if (status !== 429) return reply;
  // General v3 rate-limit headers: the window resets a minute from now.
  const reset = String(Math.floor(Date.now() / 1000) + 60);
  return {
    ...reply,
    headers: { 'X-RateLimit-Limit': '600', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': reset },
  };
}

const api: ProviderApi = {
  provider: 'sendgrid',
  errorReply: (status, message) => errorReply(status, message.toLowerCase()),
};

export function sendgridRoutes(ctx: SandboxContext) {
  return async (app: FastifyInstance): Promise<void> => {
    app.post(
      '/v3/mail/send',
      providerRoute(ctx, api, (req) => sendMail(ctx, req)),
    );
    app.get(
      '/v3/templates',
      providerRoute(ctx, api, (req) => authorized(ctx, req, () => listTemplates(ctx, req))),
    );
    app.post(
      '/v3/templates',
      providerRoute(ctx, api, (req) => authorized(ctx, req, () => createTemplate(ctx, req))),
    );
    app.get(
      '/v3/templates/:templateId',
      providerRoute(ctx, api, (req) => authorized(ctx, req, () => getTemplate(ctx, req as TemplateRequest))),
    );
    app.post(
      '/v3/templates/:templateId/versions',
      providerRoute(ctx, api, (req) => authorized(ctx, req, () => createVersion(ctx, req as TemplateRequest))),
    );
    app.setNotFoundHandler((req, reply) => recordUnknown(ctx, api, req, reply));
  };
}

/** Real X-Message-Ids are 22 url-safe characters, which is exactly 16 random bytes in base64url. */
function newMessageId(): string {
  return randomBytes(16).toString('base64url');
}

type TemplateRequest = FastifyRequest<{ Params: { templateId: string } }>;

function authorized(ctx: SandboxContext, req: FastifyRequest, handle: () => ProviderReply): ProviderReply {
  if (!sameSecret(parseBearer(req.headers.authorization), ctx.config.sendgridApiKey)) {
    return errorReply(401, 'The provided authorization grant is invalid, expired, or revoked');
  }
  return handle();
}

function sendMail(ctx: SandboxContext, req: FastifyRequest): ProviderReply {
  return authorized(ctx, req, () => {
    const errors = validateMail(req.body);
    if (errors.length > 0) return { status: 400, body: { errors } };

    const body = req.body as Record<string, unknown>;
    const template = renderTemplate(ctx, body);
    if ('error' in template) return template.error;
    // Sandbox mode validates without sending, so nothing is recorded as a message.
    if (isSandboxMode(body)) return { status: 200 };
    return acceptMail(ctx, body, template.rendered);
  });
}

/**
 * A mail naming a dynamic template gets that template's active version, rendered with the first
 * personalization's `dynamic_template_data` (the record keeps one subject and body per mail). Legacy templates
 * are only checked for existence. Real SendGrid accepts an unknown template id and drops the mail later; the
 * sandbox refuses it at once so a test sees the mistake.
 */
function renderTemplate(
  ctx: SandboxContext,
  body: Record<string, unknown>,
): { error: ProviderReply } | { rendered?: RenderedTemplate } {
  if (typeof body.template_id !== 'string') return {};
  const template = ctx.store.sendgridTemplates.get(body.template_id);
  if (!template) {
    return {
      error: errorReply(
        400,
        `The template id must be a valid template id for your account. You provided ${body.template_id}`,
        'template_id',
      ),
    };
  }
  if (template.generation === 'legacy') return {};
  const version = activeVersion(template);
  if (!version) return { error: errorReply(400, `The template ${template.id} has no active version`, 'template_id') };
  const [first] = Array.isArray(body.personalizations) ? body.personalizations : [];
  const data = (first as { dynamic_template_data?: unknown } | undefined)?.dynamic_template_data;
  try {
    const context = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
    return { rendered: renderDynamicTemplate(version, context) };
  } catch (error) {
    return {
      error: errorReply(400, `The template ${template.id} could not be rendered: ${(error as Error).message}`),
    };
  }
}

function acceptMail(ctx: SandboxContext, body: Record<string, unknown>, rendered?: RenderedTemplate): ProviderReply {
  const id = newMessageId();
  const mail = { ...summarizeMail(body), ...rendered };
  const message: StoredMessage = {
    id,
    provider: 'sendgrid',
    channel: 'email',
    to: mail.to.join(', '),
    from: mail.from,
    subject: mail.subject,
    body: mail.text,
    html: mail.html,
    initialStatus: 'accepted',
    steps: [],
    receivedAt: ctx.now(),
    params: body,
    recipients: mail.recipients,
  };
  ctx.store.addMessage(message);
  scheduleDeliveryEvents(ctx, message);
  return { status: 202, headers: { 'X-Message-Id': id } };
}

/** Page tokens are opaque to clients; this one names the last template of the previous page. */
const encodeToken = (templateId: string) => Buffer.from(templateId).toString('base64url');
const decodeToken = (token: string) => Buffer.from(token, 'base64url').toString();

function query(req: FastifyRequest): Record<string, unknown> {
  return typeof req.query === 'object' && req.query !== null ? (req.query as Record<string, unknown>) : {};
}

/** `GET /v3/templates?generations=&page_size=&page_token=`: lean templates, oldest first, with `_metadata`. */
function listTemplates(ctx: SandboxContext, req: FastifyRequest): ProviderReply {
  const params = query(req);
  const pageSize = Number(params.page_size);
  if (params.page_size === undefined || !Number.isInteger(pageSize) || pageSize < 1 || pageSize > 200) {
    return errorReply(400, 'page_size is required and must be an integer between 1 and 200', 'page_size');
  }
  // Like SendGrid, only legacy templates unless asked; a repeated key arrives as an array.
  const generations = String(params.generations ?? 'legacy')
    .split(',')
    .map((g) => g.trim());
  if (generations.some((g) => !TEMPLATE_GENERATIONS.includes(g as TemplateGeneration))) {
    return errorReply(400, 'generations must be legacy, dynamic or legacy,dynamic', 'generations');
  }
  const all = ctx.store.sendgridTemplates.list(generations as TemplateGeneration[]);
  let start = 0;
  if (params.page_token !== undefined) {
    const after = all.findIndex((t) => t.id === decodeToken(String(params.page_token)));
    if (after < 0) return errorReply(400, 'page_token is not valid', 'page_token');
    start = after + 1;
  }
  const page = all.slice(start, start + pageSize);
  // SendGrid's links are absolute; these point back at the sandbox, under whatever host the client used.
  const self = new URL(req.url, `${req.protocol}://${req.headers.host ?? '127.0.0.1'}`);
  const metadata: { self: string; next?: string; count: number } = { self: self.toString(), count: all.length };
  if (start + pageSize < all.length) {
    const next = new URL(self);
    next.searchParams.set('page_token', encodeToken(page[page.length - 1]!.id));
    metadata.next = next.toString();
  }
  return { status: 200, body: { result: page.map(leanTemplate), _metadata: metadata } };
}

function templateNotFound(templateId: string): ProviderReply {
  return errorReply(404, `template ${templateId} not found`);
}

function getTemplate(ctx: SandboxContext, req: TemplateRequest): ProviderReply {
  const template = ctx.store.sendgridTemplates.get(req.params.templateId);
  return template ? { status: 200, body: template } : templateNotFound(req.params.templateId);
}

function createTemplate(ctx: SandboxContext, req: FastifyRequest): ProviderReply {
  const created = ctx.store.sendgridTemplates.create(req.body, ctx.now());
  return Array.isArray(created) ? { status: 400, body: { errors: created } } : { status: 201, body: created };
}

function createVersion(ctx: SandboxContext, req: TemplateRequest): ProviderReply {
  const template = ctx.store.sendgridTemplates.get(req.params.templateId);
  if (!template) return templateNotFound(req.params.templateId);
  const version = ctx.store.sendgridTemplates.addVersion(template, req.body, ctx.now());
  if (Array.isArray(version)) return { status: 400, body: { errors: version } };
  const warnings = versionWarnings(version);
  return { status: 201, body: warnings.length > 0 ? { ...version, warnings } : version };
}
