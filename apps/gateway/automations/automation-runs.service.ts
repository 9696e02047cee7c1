import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { AutomationRun, HeraldAutomationRunStore } from '../../../db/automation-runs';
import type { HeraldAutomationTemplateStore } from '../../../db/automation-templates';
import type { HeraldTemplateStore } from '../../../db/templates';
import type { AutomationContext, AutomationDefinition } from '../../../domain/automation';
import { TASK_QUEUE } from '../../../domain/task-queues';
import { runAutomation } from '../../../workflows/run-automation.workflow';
import { BadRequest, NotFound } from '../errors/api-error';
import { badRequestFromZod } from '../errors/zod-error';
import { startUnlessStarted } from '../temporal/start-workflow';
import { currentIdempotencyClaim, idempotentMessageId } from '../idempotency/context';
import { AUTOMATION_RUN_STORE, AUTOMATION_TEMPLATE_STORE, TEMPLATE_STORE, TEMPORAL_CLIENT } from '../tokens';
import type { AutomationLauncher, InboundEvent } from './automation-launcher';
import { findAutomationProblem } from './automation-templates.service';

/** `null` means absent: v7 SDK types allow null on every optional field. */
const optional = <T extends z.ZodTypeAny>(schema: T) =>
  z.preprocess((v) => (v === null ? undefined : v), schema.optional());

const contextFields = {
  brand: optional(z.string()),
  data: optional(z.record(z.string(), z.unknown())),
  profile: optional(z.record(z.string(), z.unknown())),
  recipient: optional(z.string().min(1)),
  template: optional(z.string()),
};
const adHocSchema = z.looseObject({ automation: z.unknown(), ...contextFields });
const byTemplateSchema = z.looseObject(contextFields);

/** Run ids look like message ids' random part: `run_` and 24 hex characters. */
const newRunId = (hex: string) => `run_${hex.slice(0, 24)}`;

/**
 * Starts `runAutomation` workflows: ad hoc (`POST /automations/invoke`), from a stored template
 * (`POST /automations/{template_id}/invoke`), and from inbound events (the launcher Segment and
 * `/inbound/courier` use). Definitions are checked before anything starts; a bad one is a 400 naming the step.
 */
@Injectable()
export class AutomationRunsService implements AutomationLauncher {
  constructor(
    @Inject(TEMPORAL_CLIENT) private readonly client: Client,
    @Inject(AUTOMATION_TEMPLATE_STORE) private readonly automations: HeraldAutomationTemplateStore,
    @Inject(TEMPLATE_STORE) private readonly templates: HeraldTemplateStore,
    @Inject(AUTOMATION_RUN_STORE) private readonly runs: HeraldAutomationRunStore,
  ) {}

  async invokeAdHoc(body: unknown): Promise<{ runId: string }> {
    const parsed = adHocSchema.safeParse(body ?? {});
    if (!parsed.success) throw badRequestFromZod(parsed.error);
    const { automation, ...context } = parsed.data;
    const definition = await this.checked(automation);
    const runId = this.requestRunId();
    await this.start({ runId, automation: definition, context: context as AutomationContext }, true);
    return { runId };
  }

  async invokeTemplate(templateId: string, body: unknown): Promise<{ runId: string }> {
    const parsed = byTemplateSchema.safeParse(body ?? {});
    if (!parsed.success) throw badRequestFromZod(parsed.error);
    const template = await this.automations.get(templateId);
    if (!template) throw new NotFound(`automation template ${templateId} does not exist`);
    if (template.status !== 'published') throw new BadRequest(`automation template ${templateId} is not published`);
    const runId = this.requestRunId();
    await this.start(
      { runId, templateId: template.id, automation: template.definition, context: parsed.data as AutomationContext },
      true,
    );
    return { runId };
  }

  async startForEvent(event: InboundEvent): Promise<string[]> {
    const templates = await this.automations.publishedForTrigger(event.event);
    const runIds: string[] = [];
    for (const template of templates) {
      // The same event and template always give the same run: a redelivered event finds it already started.
      const digest = createHash('sha256').update(`${event.source}\n${event.messageId}\n${template.id}`).digest('hex');
      const runId = newRunId(digest);
      await this.start(
        {
          runId,
          templateId: template.id,
          automation: template.definition,
          context: { data: event.payload, recipient: event.userId },
        },
        true,
      );
      runIds.push(runId);
    }
    return runIds;
  }

  async get(runId: string): Promise<AutomationRun> {
    const run = await this.runs.get(runId);
    if (!run) throw new NotFound(`automation run ${runId} does not exist`);
    return run;
  }

  /**
   * Validates a definition as a stored template is validated (steps, conditions, the templates sends name), and
   * also that automations it invokes exist and are published, since this run starts now.
   */
  private async checked(automation: unknown): Promise<AutomationDefinition> {
    const problem = await findAutomationProblem(automation, this.templates);
    if (problem) throw new BadRequest(problem);
    const definition = automation as AutomationDefinition;
    for (const [index, step] of definition.steps.entries()) {
      if (step.action !== 'invoke' || typeof step.template !== 'string') continue;
      const target = await this.automations.get(step.template);
      if (!target || target.status !== 'published') {
        throw new BadRequest(
          `steps[${index}]: automation template "${step.template}" does not exist or is not published`,
        );
      }
    }
    return definition;
  }

  /** Under an Idempotency-Key the run id derives from the key, so a duplicate request names the same run. */
  private requestRunId(): string {
    const claim = currentIdempotencyClaim();
    if (!claim) return newRunId(randomBytes(12).toString('hex'));
    return newRunId(createHash('sha256').update(idempotentMessageId(claim)).digest('hex'));
  }

  private async start(
    run: { runId: string; templateId?: string; automation: AutomationDefinition; context: AutomationContext },
    idempotent: boolean,
  ): Promise<void> {
    await startUnlessStarted(
      () =>
        this.client.workflow.start(runAutomation, {
          workflowId: run.runId,
          taskQueue: TASK_QUEUE,
          args: [run],
          staticSummary: `automation ${run.templateId ?? '(ad hoc)'} for ${run.context.recipient ?? 'no recipient'}`,
          workflowIdConflictPolicy: 'FAIL',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        }),
      idempotent,
    );
  }
}
