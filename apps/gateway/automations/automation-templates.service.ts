import { Inject, Injectable } from '@nestjs/common';
import {
  AliasTakenError,
  type AutomationTemplate,
  type AutomationTemplateStatus,
  type AutomationTrigger,
  type HeraldAutomationTemplateStore,
} from '../../../db/automation-templates';
import type { HeraldTemplateStore } from '../../../db/templates';
import { checkAutomation, templatesNamed, type AutomationDefinition } from '../../../domain/automation';
import { isSendgridTemplateId } from '../../../domain/template';
import { ApiError, BadRequest, NotFound } from '../errors/api-error';
import { afterFrom, encodeCursor, isoTime, queryParam } from '../lists/paging';
import type { RawQuery } from '../messages/message-query';
import { parseBody } from '../templates/templates.schema';
import { AUTOMATION_TEMPLATE_STORE, TEMPLATE_STORE } from '../tokens';
import { automationTemplateBodySchema, checkAutomationTemplateId } from './automation-templates.schema';

/** Courier's `GET /automations` item (v7 `AutomationTemplate`): `version` is the status, times are ISO strings. */
export interface CourierAutomationTemplateView {
  id: string;
  name: string;
  version: AutomationTemplateStatus;
  createdAt: string;
  updatedAt: string;
}

export interface CourierAutomationListView {
  templates: CourierAutomationTemplateView[];
  /** Only when there is a next page. */
  cursor?: string;
}

/**
 * The first thing wrong with an automation definition, as the 400 message names it (`steps[2]: unknown action
 * "explode"`, `steps[1]: template "NOPE" does not exist`), or undefined when it can run. Templates are Herald's
 * or SendGrid dynamic template ids; ones given as `$ref`s cannot be known until the run.
 */
export async function findAutomationProblem(
  automation: unknown,
  templates: Pick<HeraldTemplateStore, 'get'>,
): Promise<string | undefined> {
  const [problem] = checkAutomation(automation);
  if (problem) return problem.step < 0 ? problem.message : `steps[${problem.step}]: ${problem.message}`;
  for (const { step, template } of templatesNamed(automation as AutomationDefinition)) {
    if (!isSendgridTemplateId(template) && !(await templates.get(template))) {
      return `steps[${step}]: template "${template}" does not exist`;
    }
  }
  return undefined;
}

/**
 * Herald's automation templates (`/automations/templates/{id}`, `/automations/triggers`) and Courier's list of
 * them (`GET /automations`). Running them is the automation runs' business.
 */
@Injectable()
export class AutomationTemplatesService {
  constructor(
    @Inject(AUTOMATION_TEMPLATE_STORE) private readonly store: HeraldAutomationTemplateStore,
    @Inject(TEMPLATE_STORE) private readonly templates: HeraldTemplateStore,
  ) {}

  /** Creates or replaces the template; nothing is stored when anything in it is wrong. */
  async put(id: string, body: unknown): Promise<AutomationTemplate> {
    checkAutomationTemplateId(id);
    const parsed = parseBody(automationTemplateBodySchema, body);
    if (parsed.id !== undefined && parsed.id !== id) {
      throw new BadRequest(`id: "${parsed.id}" in the body is not the id in the path, "${id}"`);
    }
    const problem = await findAutomationProblem(parsed.automation, this.templates);
    if (problem) throw new BadRequest(problem);
    try {
      return await this.store.put({
        id,
        ...(parsed.alias !== undefined ? { alias: parsed.alias } : {}),
        name: parsed.name ?? id,
        status: parsed.status ?? 'published',
        definition: parsed.automation as AutomationDefinition,
        triggers: parsed.triggers ?? [],
      });
    } catch (error) {
      // Terminal: v7 retries every 409 unless told not to (api-contract §1.4).
      if (error instanceof AliasTakenError) {
        throw new ApiError(409, error.message, 'invalid_request_error', { 'x-should-retry': 'false' });
      }
      throw error;
    }
  }

  async get(idOrAlias: string): Promise<AutomationTemplate> {
    const template = await this.store.get(checkAutomationTemplateId(idOrAlias));
    if (!template) throw new NotFound(`automation template ${idOrAlias} not found`);
    return template;
  }

  async delete(id: string): Promise<void> {
    if (!(await this.store.delete(checkAutomationTemplateId(id)))) {
      throw new NotFound(`automation template ${id} not found`);
    }
  }

  async triggers(query: RawQuery): Promise<{ items: AutomationTrigger[] }> {
    return { items: await this.store.listTriggers(queryParam(query, 'event')) };
  }

  /** Courier's list: one version at a time, published unless `version=draft` (as the v7 SDK documents). */
  async listForCourier(query: RawQuery): Promise<CourierAutomationListView> {
    const version = queryParam(query, 'version') ?? 'published';
    if (version !== 'published' && version !== 'draft') {
      throw new BadRequest('version: must be "published" or "draft"');
    }
    const page = await this.store.list({ cursor: afterFrom(query), status: version });
    return {
      templates: page.items.map((template) => ({
        id: template.id,
        name: template.name,
        version: template.status,
        createdAt: isoTime(template.created),
        updatedAt: isoTime(template.updated),
      })),
      ...(page.cursor !== undefined ? { cursor: encodeCursor(page.cursor) } : {}),
    };
  }
}
