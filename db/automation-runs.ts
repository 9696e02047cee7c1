import type { HeraldDatabase } from './database';

export type AutomationRunStatus = 'RUNNING' | 'COMPLETED' | 'CANCELED' | 'FAILED';

/** What happened at one step, as `GET /automations/runs/{id}` shows it. */
export interface AutomationStepOutcome {
  index: number;
  action: string;
  /** `done`, `skipped` (its `if` was false) or `failed`. */
  outcome: 'done' | 'skipped' | 'failed';
  /** What the step produced: a message id, a fetched body's keys, a count of cancelled runs… */
  detail?: Record<string, unknown>;
  at: number;
}

export interface AutomationRun {
  runId: string;
  templateId?: string;
  cancelationToken?: string;
  status: AutomationRunStatus;
  /** The step being run, absent once the run has finished. */
  currentStep?: number;
  steps: AutomationStepOutcome[];
  created: number;
  updated: number;
}

export interface HeraldAutomationRunStore {
  /** Creates the run's record as RUNNING; a second call for the same run (a retried activity) changes nothing. */
  start(run: { runId: string; templateId?: string; cancelationToken?: string; at: number }): Promise<void>;
  /** Marks `index` as the step being run. */
  stepStarted(runId: string, index: number, at: number): Promise<void>;
  /** Appends a step's outcome; the same step recorded twice (a retried activity) is kept once. */
  stepFinished(runId: string, outcome: AutomationStepOutcome): Promise<void>;
  finish(runId: string, status: Exclude<AutomationRunStatus, 'RUNNING'>, at: number): Promise<void>;
  get(runId: string): Promise<AutomationRun | undefined>;
  /** Runs still RUNNING with this token, started before `before`, other than `except`. */
  runningWithToken(token: string, before: number, except: string): Promise<string[]>;
}

export function createAutomationRunStore(database: HeraldDatabase): HeraldAutomationRunStore {
  const { db } = database;
  const read = async (runId: string): Promise<AutomationRun | undefined> => {
    const row = await db.selectFrom('automation_runs').selectAll().where('run_id', '=', runId).executeTakeFirst();
    if (!row) return undefined;
    return {
      runId: row.run_id,
      templateId: row.template_id ?? undefined,
      cancelationToken: row.cancelation_token ?? undefined,
      status: row.status as AutomationRunStatus,
      currentStep: row.current_step ?? undefined,
      steps: JSON.parse(row.history) as AutomationStepOutcome[],
      created: Number(row.created),
      updated: Number(row.updated),
    };
  };

  return {
    async start({ runId, templateId, cancelationToken, at }) {
      await db
        .insertInto('automation_runs')
        .values({
          run_id: runId,
          template_id: templateId ?? null,
          cancelation_token: cancelationToken ?? null,
          status: 'RUNNING',
          current_step: null,
          history: '[]',
          created: at,
          updated: at,
        })
        .onConflict((oc) => oc.column('run_id').doNothing())
        .execute();
    },

    async stepStarted(runId, index, at) {
      await db
        .updateTable('automation_runs')
        .set({ current_step: index, updated: at })
        .where('run_id', '=', runId)
        .execute();
    },

    stepFinished: (runId, outcome) =>
      database.writeTransaction(`automation-run:${runId}`, async (trx) => {
        const row = await trx
          .selectFrom('automation_runs')
          .select('history')
          .where('run_id', '=', runId)
          .executeTakeFirst();
        if (!row) return;
        const steps = JSON.parse(row.history) as AutomationStepOutcome[];
        if (steps.some((step) => step.index === outcome.index)) return;
        steps.push(outcome);
        await trx
          .updateTable('automation_runs')
          .set({ history: JSON.stringify(steps), updated: outcome.at })
          .where('run_id', '=', runId)
          .execute();
      }),

    async finish(runId, status, at) {
      await db
        .updateTable('automation_runs')
        .set({ status, current_step: null, updated: at })
        .where('run_id', '=', runId)
        .where('status', '=', 'RUNNING')
        .execute();
    },

    get: read,

    async runningWithToken(token, before, except) {
      const rows = await db
        .selectFrom('automation_runs')
        .select('run_id')
        .where('cancelation_token', '=', token)
        .where('status', '=', 'RUNNING')
        .where('created', '<', before)
        .where('run_id', '!=', except)
        .orderBy('run_id')
        .execute();
      return rows.map((row) => row.run_id);
    },
  };
}
