import { ApplicationFailure } from '@temporalio/common';
import { mergeObjects, type AutomationDefinition, type MergeStrategy } from '../domain/automation';
import { FailureType } from '../domain/failures';
import { derivedMessageId } from './derived-ids';
import { InvalidSend, normaliseMessage, type NormalisedSend } from '../domain/normalise-send';
import type { RoutingNode } from '../domain/message';
import { defaultRouting as workspaceDefaultRouting } from '../domain/routing';
import { messageSchema } from '../domain/send-request.schema';
import type { AutomationStepOutcome, HeraldAutomationRunStore } from '../db/automation-runs';
import { ProfilePatchError } from '../db/profiles';

/** The stored data automation steps read and write. */
export interface AutomationDirectory {
  /** A published automation template by id or alias. */
  automationTemplate(idOrAlias: string): Promise<{ id: string; definition: AutomationDefinition } | undefined>;
  profile(userId: string): Promise<Record<string, unknown> | undefined>;
  replaceProfile(userId: string, profile: Record<string, unknown>): Promise<void>;
  /** Current statuses of messages, for `if` conditions over `refs.<send ref>.status`. */
  messageStatuses(ids: string[]): Promise<Record<string, string>>;
}

export interface AutomationDeps {
  automations: AutomationDirectory;
  runs: HeraldAutomationRunStore;
  /** The workspace's default routing, for automation sends that give none. */
  defaultRouting?: RoutingNode;
  /** For fetch-data; the global fetch unless a test gives another. */
  fetch?: typeof fetch;
  now?: () => number;
}

export interface AutomationSendRequest {
  runId: string;
  step: number;
  /** Workflow time of the step: the message's enqueued time, and part of its id (so a retry names the same one). */
  at: number;
  /** The `/send` message the step amounts to, with `$ref`s already resolved by the workflow. */
  message: Record<string, unknown>;
}

export interface FetchDataRequest {
  url: string;
  method: string;
  headers?: Record<string, string>;
  body?: unknown;
  params?: Record<string, string>;
}

/** A step's identity, derived from the run and the step's position: the same step always names the same thing. */
export function stepDerivedId(runId: string, step: number, startedAt: number): string {
  return derivedMessageId(`${runId}\nstep:${step}`, startedAt);
}

/** fetch-data answers that mean "asking again will not help". */
function fetchFailure(status: number, url: string): ApplicationFailure {
  const message = `fetch-data: ${url} answered ${status}`;
  return status >= 400 && status < 500 && status !== 408 && status !== 429
    ? ApplicationFailure.nonRetryable(message, FailureType.ProviderRejected)
    : ApplicationFailure.retryable(message, FailureType.ProviderUnavailable);
}

export function createAutomationActivities({
  automations,
  runs,
  defaultRouting,
  fetch: doFetch = fetch,
  now = Date.now,
}: AutomationDeps) {
  return {
    /** Records the run as RUNNING and returns the earlier runs with the same cancelation token, to cancel. */
    async startAutomationRun(run: {
      runId: string;
      templateId?: string;
      token?: string;
      at: number;
    }): Promise<string[]> {
      await runs.start({ runId: run.runId, templateId: run.templateId, cancelationToken: run.token, at: run.at });
      return run.token ? runs.runningWithToken(run.token, run.at, run.runId) : [];
    },

    /** Runs holding `token` other than the caller, for a `cancel` step. */
    async findRunsByToken(request: { token: string; except: string }): Promise<string[]> {
      return runs.runningWithToken(request.token, Number.MAX_SAFE_INTEGER, request.except);
    },

    async recordAutomationStep(request: {
      runId: string;
      index: number;
      started?: boolean;
      outcome?: AutomationStepOutcome;
    }) {
      if (request.started) await runs.stepStarted(request.runId, request.index, now());
      if (request.outcome) await runs.stepFinished(request.runId, { ...request.outcome, at: now() });
    },

    async finishAutomationRun(request: { runId: string; status: 'COMPLETED' | 'CANCELED' | 'FAILED' }): Promise<void> {
      await runs.finish(request.runId, request.status, now());
    },

    /**
     * Turns a send step into the workflow input of the message(s) it starts, validated as `POST /send` validates;
     * the message id derives from the run and the step, so a replayed or retried step names the same message.
     * An invalid message fails the step for good.
     */
    async prepareAutomationSend(request: AutomationSendRequest): Promise<NormalisedSend> {
      const parsed = messageSchema.safeParse(request.message);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw ApplicationFailure.nonRetryable(
          `send: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid message'}`,
          FailureType.RenderFailed,
        );
      }
      const { at } = request;
      try {
        return normaliseMessage(parsed.data, stepDerivedId(request.runId, request.step, at), at, {
          routing: defaultRouting ?? workspaceDefaultRouting,
        });
      } catch (error) {
        if (error instanceof InvalidSend) {
          throw ApplicationFailure.nonRetryable(`send: ${error.message}`, FailureType.RenderFailed);
        }
        throw error;
      }
    },

    /** update-profile: writes the stored profile with a merge strategy and returns what it became. */
    async updateProfile(request: {
      userId: string;
      profile: Record<string, unknown>;
      merge?: MergeStrategy;
    }): Promise<Record<string, unknown>> {
      const current = await automations.profile(request.userId);
      const next = mergeObjects(current, request.profile, request.merge ?? 'replace');
      try {
        await automations.replaceProfile(request.userId, next);
      } catch (error) {
        // A profile the store refuses (a forbidden key) is refused on every retry too.
        if (error instanceof ProfilePatchError) {
          throw ApplicationFailure.nonRetryable(`update-profile: ${error.message}`, FailureType.ProviderRejected);
        }
        throw error;
      }
      return next;
    },

    /** fetch-data: one HTTP call; JSON answers come back as data, anything else as `{body: text}`. */
    async fetchData(request: FetchDataRequest): Promise<unknown> {
      const url = new URL(request.url);
      for (const [key, value] of Object.entries(request.params ?? {})) url.searchParams.set(key, value);
      const hasBody = request.body !== undefined && request.method !== 'GET';
      let response: Response;
      try {
        response = await doFetch(url, {
          method: request.method,
          headers: {
            accept: 'application/json',
            ...(hasBody ? { 'content-type': 'application/json' } : {}),
            ...request.headers,
          },
          body: hasBody ? (typeof request.body === 'string' ? request.body : JSON.stringify(request.body)) : undefined,
          signal: AbortSignal.timeout(10_000),
        });
      } catch (error) {
        throw ApplicationFailure.retryable(`fetch-data: ${url.origin} unreachable: ${(error as Error).message}`);
      }
      if (!response.ok) throw fetchFailure(response.status, url.origin + url.pathname);
      const text = await response.text();
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return { body: text };
      }
    },

    /** invoke: the named automation template's definition, or undefined when there is no published one. */
    async loadAutomationTemplate(idOrAlias: string) {
      return automations.automationTemplate(idOrAlias);
    },

    async messageStatuses(ids: string[]): Promise<Record<string, string>> {
      return automations.messageStatuses(ids);
    },
  };
}
