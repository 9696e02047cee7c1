import { checkExpression } from './expression';

/**
 * Courier automations (api-contract §7): a list of steps run in order by `runAutomation`. Pure and free of Node
 * APIs, because the workflow interprets these types and the gateway validates them with the same code.
 */

export const MERGE_STRATEGIES = ['replace', 'none', 'overwrite', 'soft-merge'] as const;
export type MergeStrategy = (typeof MERGE_STRATEGIES)[number];

/** Fields every step may carry: `if` skips the step when false; `ref` names its result under `refs.<ref>`. */
export interface StepCommon {
  if?: string;
  ref?: string;
}

export interface DelayStep extends StepCommon {
  action: 'delay';
  /** ISO-8601 (`PT2H`) or text (`2 hours`). */
  duration?: string;
  /** An ISO time, or Courier's compact `20240408T080910.123`. */
  until?: string;
}

export interface SendStep extends StepCommon {
  action: 'send';
  /** v2 form: a whole `/send` message. */
  message?: Record<string, unknown>;
  /** Legacy form: a template sent to `recipient` (both default to the run context's). */
  template?: string;
  recipient?: string;
  profile?: Record<string, unknown>;
  data?: Record<string, unknown>;
  brand?: string;
  override?: Record<string, unknown>;
}

export interface SendListStep extends StepCommon {
  action: 'send-list';
  list: string;
  template: string;
  data?: Record<string, unknown>;
  brand?: string;
  override?: Record<string, unknown>;
}

export interface UpdateProfileStep extends StepCommon {
  action: 'update-profile';
  recipient_id?: string;
  profile: Record<string, unknown>;
  merge?: MergeStrategy;
}

export interface CancelStep extends StepCommon {
  action: 'cancel';
  cancelation_token: string;
}

export interface FetchDataStep extends StepCommon {
  action: 'fetch-data';
  webhook: {
    url: string;
    method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
    headers?: Record<string, string>;
    body?: unknown;
    params?: Record<string, string>;
  };
  merge_strategy?: MergeStrategy;
}

export interface InvokeStep extends StepCommon {
  action: 'invoke';
  template: string;
  context?: AutomationContext;
}

export type AutomationStep =
  DelayStep | SendStep | SendListStep | UpdateProfileStep | CancelStep | FetchDataStep | InvokeStep;

export interface AutomationDefinition {
  cancelation_token?: string;
  steps: AutomationStep[];
}

/** The run context (`refs.*`): what the invocation gave, as Courier names it. */
export interface AutomationContext {
  brand?: string;
  data?: Record<string, unknown>;
  profile?: Record<string, unknown>;
  recipient?: string;
  template?: string;
}

export const SUPPORTED_ACTIONS = [
  'delay',
  'send',
  'send-list',
  'update-profile',
  'cancel',
  'fetch-data',
  'invoke',
] as const;
/** Accepted by Courier but not run by Herald yet: refused at invoke time rather than silently skipped. */
const NOT_YET = new Set(['add-to-batch', 'add-to-digest', 'throttle', 'get-profile']);

export interface StepProblem {
  /** Index in `steps`, or -1 for the definition as a whole. */
  step: number;
  message: string;
}

/** Names of the run context (api-contract §7.3): a step result under one of them would hide it. */
const RESERVED_REFS = new Set(['refs', 'data', 'profile', 'recipient', 'brand', 'template']);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isRef = (value: unknown): boolean => isObject(value) && typeof value.$ref === 'string';
const textOrRef = (value: unknown): boolean => (typeof value === 'string' && value !== '') || isRef(value);

/**
 * Everything wrong with a definition that can be known without the database: unknown actions, missing or
 * malformed fields, `if` conditions that do not parse, durations that do not read. Empty when it is valid.
 */
export function checkAutomation(definition: unknown): StepProblem[] {
  if (!isObject(definition)) return [{ step: -1, message: 'automation must be an object with steps' }];
  if (definition.cancelation_token !== undefined && !textOrRef(definition.cancelation_token)) {
    return [{ step: -1, message: 'cancelation_token must be a non-empty string' }];
  }
  if (!Array.isArray(definition.steps) || definition.steps.length === 0) {
    return [{ step: -1, message: 'automation.steps must be a non-empty array' }];
  }
  const problems: StepProblem[] = [];
  definition.steps.forEach((step: unknown, index: number) => {
    const problem = checkStep(step);
    if (problem) problems.push({ step: index, message: problem });
  });
  return problems;
}

function checkStep(step: unknown): string | undefined {
  if (!isObject(step)) return 'a step must be an object';
  const action = step.action;
  if (typeof action !== 'string') return 'action is required';
  if (NOT_YET.has(action)) return `action "${action}" is not supported by Herald yet`;
  if (!(SUPPORTED_ACTIONS as readonly string[]).includes(action)) return `unknown action "${action}"`;
  if (step.if !== undefined) {
    if (typeof step.if !== 'string') return 'if must be a string';
    const check = checkExpression(step.if);
    if (!check.ok) return `if does not parse: ${check.message}`;
  }
  if (step.ref !== undefined && (typeof step.ref !== 'string' || !/^[A-Za-z_][A-Za-z0-9_-]*$/.test(step.ref))) {
    return 'ref must be a name (letters, digits, _ and -)';
  }
  if (typeof step.ref === 'string' && RESERVED_REFS.has(step.ref)) {
    return `ref "${step.ref}" is reserved: it names part of the run context`;
  }
  switch (action) {
    case 'delay':
      if (step.duration === undefined && step.until === undefined) return 'delay needs duration or until';
      if (step.duration !== undefined && !isRef(step.duration) && parseDuration(String(step.duration)) === undefined) {
        return `duration "${String(step.duration)}" is neither ISO-8601 (PT5M) nor text (5 minutes)`;
      }
      if (step.until !== undefined && !isRef(step.until) && parseUntil(String(step.until)) === undefined) {
        return `until "${String(step.until)}" is not an ISO-8601 time`;
      }
      return undefined;
    case 'send':
      if (step.message !== undefined) return isObject(step.message) ? undefined : 'message must be an object';
      if (step.template !== undefined && !textOrRef(step.template)) return 'template must be a string';
      return undefined;
    case 'send-list':
      if (!textOrRef(step.list)) return 'send-list needs list';
      if (!textOrRef(step.template)) return 'send-list needs template';
      return undefined;
    case 'update-profile':
      if (!isObject(step.profile)) return 'update-profile needs profile (an object)';
      return checkMerge(step.merge, 'merge');
    case 'cancel':
      return textOrRef(step.cancelation_token) ? undefined : 'cancel needs cancelation_token';
    case 'fetch-data': {
      const webhook = step.webhook;
      if (!isObject(webhook) || !textOrRef(webhook.url)) return 'fetch-data needs webhook.url';
      if (typeof webhook.url === 'string' && !/^https?:\/\//i.test(webhook.url)) return 'webhook.url must be http(s)';
      const method = webhook.method ?? 'GET';
      if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(String(method))) {
        return `webhook.method "${String(method)}" is not one of GET, POST, PUT, PATCH, DELETE`;
      }
      return checkMerge(step.merge_strategy, 'merge_strategy');
    }
    case 'invoke':
      return textOrRef(step.template) ? undefined : 'invoke needs template';
    default:
      return undefined;
  }
}

function checkMerge(value: unknown, field: string): string | undefined {
  if (value === undefined || (MERGE_STRATEGIES as readonly unknown[]).includes(value)) return undefined;
  return `${field} must be one of ${MERGE_STRATEGIES.join(', ')}`;
}

/** Templates a definition names (send and send-list steps, literal values only), to check they exist. */
export function templatesNamed(definition: AutomationDefinition): Array<{ step: number; template: string }> {
  const named: Array<{ step: number; template: string }> = [];
  definition.steps.forEach((step, index) => {
    if ((step.action === 'send' || step.action === 'send-list') && typeof step.template === 'string') {
      named.push({ step: index, template: step.template });
    }
    if (step.action === 'send' && isObject(step.message) && typeof step.message.template === 'string') {
      named.push({ step: index, template: step.message.template });
    }
  });
  return named;
}

const UNIT_MS: Record<string, number> = {
  ms: 1,
  millisecond: 1,
  s: 1000,
  sec: 1000,
  second: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hour: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  w: 604_800_000,
  week: 604_800_000,
};

/**
 * A duration in ms from ISO-8601 (`PT2H30M`, `P1D`, `P1W`; years and months are refused: their length depends on
 * the calendar) or text (`2 hours`, `90 seconds`, `1 day 2 hours`). Undefined when it does not read.
 */
export function parseDuration(text: string): number | undefined {
  const source = text.trim();
  const iso =
    /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(
      source,
    );
  if (iso && source.toUpperCase() !== 'P' && !/T$/i.test(source)) {
    const [, w, d, h, m, s] = iso.map((v) => (v === undefined ? 0 : Number(v)));
    return Math.round(w * 604_800_000 + d * 86_400_000 + h * 3_600_000 + m * 60_000 + s * 1000);
  }
  const parts = source
    .toLowerCase()
    .split(/\s*(?:,|and)\s*|\s+(?=\d)/)
    .filter(Boolean);
  if (parts.length === 0) return undefined;
  let total = 0;
  for (const part of parts) {
    const match = /^(\d+(?:\.\d+)?)\s*([a-z]+?)s?$/.exec(part.trim());
    const unit = match ? UNIT_MS[match[2]] : undefined;
    if (!match || unit === undefined) return undefined;
    total += Number(match[1]) * unit;
  }
  return Math.round(total);
}

/** Epoch ms from an ISO time, or from Courier's compact form `20240408T080910.123` (read as UTC). */
export function parseUntil(text: string): number | undefined {
  const compact = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\.\d+)?(Z)?$/.exec(text.trim());
  const iso = compact
    ? `${compact[1]}-${compact[2]}-${compact[3]}T${compact[4]}:${compact[5]}:${compact[6]}${compact[7] ?? ''}Z`
    : text;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Courier's merge strategies over objects: what `current` becomes when `incoming` arrives. */
export function mergeObjects(
  current: Record<string, unknown> | undefined,
  incoming: Record<string, unknown>,
  strategy: MergeStrategy = 'replace',
): Record<string, unknown> {
  const base = current ?? {};
  switch (strategy) {
    case 'replace':
      return { ...incoming };
    case 'overwrite':
      return { ...base, ...incoming };
    case 'soft-merge':
      return { ...incoming, ...base };
    case 'none':
      return current && Object.keys(current).length > 0 ? { ...current } : { ...incoming };
  }
}

/**
 * Resolves `{"$ref": "data.order.total"}` accessors anywhere in `value`, and strings that are exactly a
 * `refs.<path>` reference, against the run scope. A path that leads nowhere resolves to undefined.
 */
export function resolveRefs(value: unknown, scope: Record<string, unknown>): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveRefs(item, scope));
  if (isObject(value)) {
    if (typeof value.$ref === 'string' && Object.keys(value).length === 1) return lookup(scope, value.$ref);
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveRefs(item, scope)]));
  }
  if (typeof value === 'string' && /^refs\.[A-Za-z0-9_$.-]+$/.test(value)) return lookup(scope, value);
  return value;
}

function lookup(scope: Record<string, unknown>, path: string): unknown {
  const parts = path.split('.');
  // `refs.x` and bare `x` name the same thing: the scope is the run context plus step results.
  if (parts[0] === 'refs') parts.shift();
  let current: unknown = scope;
  for (const part of parts) {
    if (!isObject(current) && !Array.isArray(current)) return undefined;
    if (part === '__proto__' || part === 'constructor' || part === 'prototype') return undefined;
    // Own properties only: `toString` and friends are not data.
    if (!Object.prototype.hasOwnProperty.call(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}
