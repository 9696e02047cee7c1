import { Inject, Injectable } from '@nestjs/common';
import type { HeraldTemplateStore } from '../../../db/templates';
import type { RoutingNode } from '../../../domain/message';
import type { Template } from '../../../domain/template';
import { ApiError, BadRequest, NotFound } from '../errors/api-error';
import { SENDGRID_TEMPLATE_SOURCE, TEMPLATE_STORE } from '../tokens';
import {
  importSendGridTemplates,
  SendGridUnavailable,
  type ImportResult,
  type SendGridTemplateSource,
} from './sendgrid-import';
import {
  checkTemplateId,
  findTemplateSyntaxError,
  parseBody,
  sendgridImportBodySchema,
  templateBodySchema,
  templateListQuerySchema,
} from './templates.schema';

export interface TemplateListView {
  items: Template[];
  /** `cursor` only when `more` is true, as on `GET /messages`. */
  paging: { cursor?: string; more: boolean };
}

/** Herald's templates API (`/templates`) over the template store, plus the SendGrid import. */
@Injectable()
export class TemplatesService {
  constructor(
    @Inject(TEMPLATE_STORE) private readonly store: HeraldTemplateStore,
    @Inject(SENDGRID_TEMPLATE_SOURCE) private readonly sendgrid: SendGridTemplateSource,
  ) {}

  async list(query: unknown): Promise<TemplateListView> {
    const { cursor, limit } = parseBody(templateListQuerySchema, query);
    const page = await this.store.list({ cursor, limit });
    return {
      items: page.items,
      paging: page.cursor !== undefined ? { cursor: page.cursor, more: true } : { more: false },
    };
  }

  async get(id: string): Promise<Template> {
    const template = await this.store.get(checkTemplateId(id));
    if (!template) throw new NotFound(`template ${id} not found`);
    return template;
  }

  /** Creates or replaces the template. Written through the API, it has no `source` (it is no longer an import). */
  async put(id: string, body: unknown): Promise<Template> {
    checkTemplateId(id);
    const { name, topic_id, routing, content } = parseBody(templateBodySchema, body);
    const syntaxError = findTemplateSyntaxError(content);
    if (syntaxError) throw new BadRequest(syntaxError);
    return this.store.put({
      id,
      name: name ?? id,
      content,
      ...(topic_id !== undefined ? { topic_id } : {}),
      // The send's schema also lets `priority` through, which routing treats as `single`.
      ...(routing !== undefined ? { routing: routing as RoutingNode } : {}),
    });
  }

  async delete(id: string): Promise<void> {
    if (!(await this.store.delete(checkTemplateId(id)))) throw new NotFound(`template ${id} not found`);
  }

  async importFromSendGrid(body: unknown): Promise<ImportResult> {
    const ids = parseBody(sendgridImportBodySchema, body)?.ids;
    try {
      return await importSendGridTemplates(this.sendgrid, this.store, ids);
    } catch (error) {
      // SendGrid's failure, not the caller's and not ours: a bad gateway.
      if (error instanceof SendGridUnavailable) throw new ApiError(502, error.message, 'api_error');
      throw error;
    }
  }
}
