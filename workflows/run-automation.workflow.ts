import {
  ApplicationFailure,
  CancellationScope,
  defineQuery,
  getExternalWorkflowHandle,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  startChild,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { NormalisedSend } from '../domain/normalise-send';
import {
  mergeObjects,
  parseDuration,
  parseUntil,
  resolveRefs,
  type AutomationContext,
  type AutomationDefinition,
  type AutomationStep,
  type SendStep,
} from '../domain/automation';
import { conditionHolds } from '../domain/expression';
import { automationCall, bookkeeping, directoryPage } from './activity-profiles';
import { fanOutMessage } from './fan-out-message.workflow';
import { sendMessage } from './send-message.workflow';
import { startOnce } from './start-once';

const { startAutomationRun, findRunsByToken, recordAutomationStep, finishAutomationRun, messageStatuses } =
  proxyLocalActivities<Activities>(bookkeeping);
const { prepareAutomationSend, updateProfile, loadAutomationTemplate } = proxyActivities<Activities>(directoryPage);
const { fetchData } = proxyActivities<Activities>(automationCall);

export interface RunAutomationInput {
  runId: string;
  /** The automation template this run comes from; absent for ad hoc runs (`POST /automations/invoke`). */
  templateId?: string;
  automation: AutomationDefinition;
  /** The run context, `refs.*`: brand, data, profile, recipient, template. */
  context: AutomationContext;
}

export interface AutomationRunState {
  status: 'RUNNING' | 'COMPLETED' | 'CANCELED' | 'FAILED';
  /** The step being run; absent once the run has finished. */
  currentStep?: number;
  /** Results of steps with a `ref`, by name (`refs.<ref>`). */
  refs: Record<string, unknown>;
}
export const automationRunStateQuery = defineQuery<AutomationRunState>('automationRunState');

/**
 * Runs one automation: its steps in order, each skipped when its `if` is false. Sends start `sendMessage` (or a
 * fan-out) as children that outlive the run; waits are durable timers; a later run or `cancel` step with the same
 * cancelation token cancels this one (Temporal cancellation), which ends it CANCELED wherever it is.
 */
export async function runAutomation(input: RunAutomationInput): Promise<AutomationRunState> {
  const { runId, automation } = input;
  const context: AutomationContext = { ...input.context };
  const refs: Record<string, unknown> = {};
  const state: AutomationRunState = { status: 'RUNNING', refs };
  setHandler(automationRunStateQuery, () => state);

  // The token may be a `$ref` into the run context (one token per user is the usual pattern).
  const token = resolveRefs(automation.cancelation_token, { ...context, refs: context });
  const badToken = token !== undefined && (typeof token !== 'string' || token === '');
  try {
    // Inside the try, so that a run failing or cancelled this early is still recorded as finished.
    const superseded = await startAutomationRun({
      runId,
      templateId: input.templateId,
      token: badToken ? undefined : (token as string | undefined),
      at: Date.now(),
    });
    if (badToken) throw ApplicationFailure.nonRetryable('cancelation_token does not resolve to a non-empty string');
    // A run with a token replaces earlier runs holding it (api-contract §7.3): a newer event supersedes them.
    await cancelRuns(superseded);

    for (const [index, step] of automation.steps.entries()) {
      state.currentStep = index;
      await recordAutomationStep({ runId, index, started: true });
      const scope = await scopeFor(step, context, refs);
      if (step.if !== undefined && !conditionHolds(step.if, scope)) {
        await recordAutomationStep({
          runId,
          index,
          outcome: { index, action: step.action, outcome: 'skipped', at: 0 },
        });
        continue;
      }
      let detail: Record<string, unknown>;
      try {
        detail = await runStep(input, index, resolveRefs(step, scope) as AutomationStep, context);
      } catch (error) {
        // The failed step shows in GET /automations/runs/{id} with its reason; the run then ends FAILED.
        if (!isCancellation(error)) {
          const reason = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : '';
          await recordAutomationStep({
            runId,
            index,
            outcome: { index, action: step.action, outcome: 'failed', detail: { error: reason }, at: 0 },
          });
        }
        throw error;
      }
      if (step.ref) refs[step.ref] = detail;
      await recordAutomationStep({
        runId,
        index,
        outcome: { index, action: step.action, outcome: 'done', detail, at: 0 },
      });
    }
  } catch (error) {
    const status = isCancellation(error) ? 'CANCELED' : 'FAILED';
    state.status = status;
    state.currentStep = undefined;
    await CancellationScope.nonCancellable(() => finishAutomationRun({ runId, status }));
    throw error;
  }
  state.status = 'COMPLETED';
  state.currentStep = undefined;
  await finishAutomationRun({ runId, status: 'COMPLETED' });
  return state;
}

/**
 * What `if` conditions and `$ref`s see: the run context and step results, both bare (`data.total`) and under
 * `refs` (`refs.data.total`). Send results carry the message's current status, read when a condition asks.
 */
async function scopeFor(
  step: AutomationStep,
  context: AutomationContext,
  refs: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const asked = Object.entries(refs).filter(
    ([name, value]) => isSendRef(value) && step.if !== undefined && step.if.includes(name),
  );
  if (asked.length > 0) {
    const statuses = await messageStatuses(asked.map(([, value]) => (value as SendRef).messageId));
    for (const [, value] of asked) {
      const ref = value as SendRef;
      ref.status = statuses[ref.messageId] ?? ref.status;
    }
  }
  const all = { ...context, ...refs };
  return { ...all, refs: all };
}

interface SendRef {
  messageId: string;
  status: string;
}
function isSendRef(value: unknown): value is SendRef {
  return typeof value === 'object' && value !== null && 'messageId' in value && 'status' in value;
}

async function runStep(
  input: RunAutomationInput,
  index: number,
  step: AutomationStep,
  context: AutomationContext,
): Promise<Record<string, unknown>> {
  switch (step.action) {
    case 'delay': {
      const until = step.until !== undefined ? parseUntil(String(step.until)) : undefined;
      const ms = until !== undefined ? until - Date.now() : parseDuration(String(step.duration ?? ''));
      if (ms === undefined) throw ApplicationFailure.nonRetryable(`steps[${index}]: delay does not read`);
      if (ms > 0) await sleep(ms, { summary: `step ${index}: delay ${step.duration ?? `until ${step.until}`}` });
      return { waitedMs: Math.max(ms, 0) };
    }
    case 'send':
      return send(input, index, sendMessageOf(step, context));
    case 'send-list':
      return send(input, index, {
        to: { list_id: step.list },
        template: step.template,
        data: step.data ?? context.data,
        ...(step.override ? { providers: step.override } : {}),
      });
    case 'update-profile': {
      const userId = step.recipient_id ?? context.recipient;
      if (!userId) throw ApplicationFailure.nonRetryable(`steps[${index}]: update-profile has no recipient`);
      // A `$ref` that leads nowhere must not become an empty profile that erases the stored one.
      if (!isPlainObject(step.profile)) {
        throw ApplicationFailure.nonRetryable(`steps[${index}]: update-profile's profile is not an object`);
      }
      const profile = await updateProfile.executeWithOptions(
        { ...directoryPage, summary: `step ${index}: update profile of ${userId}` },
        [{ userId, profile: step.profile, merge: step.merge }],
      );
      if (userId === context.recipient) context.profile = profile;
      return { userId };
    }
    case 'cancel': {
      const runs = await findRunsByToken({ token: step.cancelation_token, except: input.runId });
      await cancelRuns(runs);
      return { canceled: runs };
    }
    case 'fetch-data': {
      const { webhook } = step;
      const response = await fetchData.executeWithOptions(
        { ...automationCall, summary: `step ${index}: fetch ${webhook.method ?? 'GET'} ${hostOf(webhook.url)}` },
        [
          {
            url: webhook.url,
            method: webhook.method ?? 'GET',
            headers: webhook.headers,
            body: webhook.body,
            params: webhook.params,
          },
        ],
      );
      const fetched =
        typeof response === 'object' && response !== null && !Array.isArray(response)
          ? (response as Record<string, unknown>)
          : { response };
      context.data = mergeObjects(context.data, fetched, step.merge_strategy ?? 'replace');
      return { fetched };
    }
    case 'invoke': {
      const template = await loadAutomationTemplate(step.template);
      if (!template)
        throw ApplicationFailure.nonRetryable(`steps[${index}]: automation ${step.template} does not exist`);
      const runId = `${input.runId}.${index}`;
      await startOnce(() =>
        startChild(runAutomation, {
          workflowId: runId,
          args: [
            {
              runId,
              templateId: template.id,
              automation: template.definition,
              context: { ...context, ...step.context },
            },
          ],
          parentClosePolicy: 'ABANDON',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          staticSummary: `automation ${template.id}, invoked by ${input.runId}`,
        }),
      );
      return { runId };
    }
  }
}

/** The `/send` message of a send step: the v2 `message` as given, or the legacy fields over the run context. */
function sendMessageOf(step: SendStep, context: AutomationContext): Record<string, unknown> {
  if (step.message) return step.message;
  const recipient = step.recipient ?? context.recipient;
  return {
    to: { ...(step.profile ?? context.profile ?? {}), ...(recipient ? { user_id: recipient } : {}) },
    template: step.template ?? context.template,
    data: step.data ?? context.data,
    ...(step.override ? { providers: step.override } : {}),
  };
}

async function send(input: RunAutomationInput, index: number, message: Record<string, unknown>) {
  const prepared: NormalisedSend = await prepareAutomationSend.executeWithOptions(
    { ...directoryPage, summary: `step ${index}: prepare send` },
    [{ runId: input.runId, step: index, at: Date.now(), message }],
  );
  if (prepared.kind === 'single') {
    const sendInput = prepared.input;
    await startOnce(() =>
      startChild(sendMessage, {
        workflowId: sendInput.messageId,
        args: [sendInput],
        parentClosePolicy: 'ABANDON',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        staticSummary: `${sendInput.template ?? 'inline content'} to ${sendInput.to.user_id ?? 'an ad hoc recipient'}, from automation ${input.runId}`,
      }),
    );
    return { messageId: sendInput.messageId, status: 'ENQUEUED' };
  }
  const fanOut = prepared.input;
  await startOnce(() =>
    startChild(fanOutMessage, {
      workflowId: fanOut.requestId,
      args: [fanOut],
      parentClosePolicy: 'ABANDON',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      staticSummary: `${fanOut.message.template ?? 'inline content'} fan-out, from automation ${input.runId}`,
    }),
  );
  return { requestId: fanOut.requestId };
}

/** Cancels runs by id; one that has already finished (or never existed) is simply left alone. */
async function cancelRuns(runIds: string[]): Promise<void> {
  await Promise.all(
    runIds.map(async (id) => {
      try {
        await getExternalWorkflowHandle(id).cancel();
      } catch (error) {
        if (isCancellation(error)) throw error;
      }
    }),
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hostOf(url: string): string {
  const match = /^https?:\/\/([^/?#]+)/i.exec(url);
  return match ? match[1] : url;
}
