import { SendGridTemplateStore } from './sendgrid.templates';

export type Provider = 'twilio' | 'sendgrid' | 'segment' | 'smtp' | 'firebase-fcm' | 'webhook';
export const PROVIDERS: readonly Provider[] = ['twilio', 'sendgrid', 'segment', 'smtp', 'firebase-fcm', 'webhook'];
export type Channel = 'sms' | 'email' | 'push' | 'webhook' | 'analytics';

/** A status change that happens on its own once `at` (epoch ms) has passed. */
export interface StatusStep {
  at: number;
  status: string;
  errorCode?: number;
}

/** What the store keeps; `steps` let a Twilio message move on without anyone having to poke it. */
export interface StoredMessage {
  id: string;
  provider: Provider;
  channel: Channel;
  to: string;
  from: string | null;
  subject?: string;
  body?: string;
  html?: string;
  initialStatus: string;
  steps: StatusStep[];
  receivedAt: number;
  params: unknown;
  /** Every address the message went to; `?to=` matches any of them (an email can have several). */
  recipients: string[];
}

/** The public view served by `GET /sandbox/messages`. */
export interface MessageView {
  id: string;
  provider: Provider;
  channel: Channel;
  to: string;
  from: string | null;
  subject?: string;
  body?: string;
  html?: string;
  status: string;
  errorCode?: number;
  receivedAt: number;
  params: unknown;
}

export interface RequestEntry {
  seq: number;
  provider: Provider;
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  /** `null` while the request is held or when the connection was dropped on purpose. */
  status: number | null;
  fault?: 'status' | 'timeout' | 'drop' | 'slow';
  at: number;
}

export interface CallbackEntry {
  messageId: string;
  url: string;
  params: Record<string, string>;
  /** The callback server's HTTP status, or null when it could not be reached. */
  responseStatus: number | null;
  error?: string;
  at: number;
}

export interface MessageFilter {
  provider?: string;
  channel?: string;
  to?: string;
  id?: string;
}

export const DEFAULT_MAX_ENTRIES = 50_000;

/**
 * Append-only log that forgets its oldest entries past `max`, so a sandbox left running under a load test
 * cannot grow without bound.
 */
class BoundedLog<T> {
  private items: T[] = [];
  constructor(
    private readonly max: number,
    private readonly onEvict: (item: T) => void = () => {},
  ) {}

  push(item: T): void {
    this.items.push(item);
    if (this.items.length > this.max) {
      for (const evicted of this.items.splice(0, this.items.length - this.max)) this.onEvict(evicted);
    }
  }

  all(): readonly T[] {
    return this.items;
  }

  clear(): void {
    this.items = [];
  }
}

/** Resolves the status a message has at `now` from its scheduled steps. */
export function stateAt(message: StoredMessage, now: number): { status: string; errorCode?: number; since: number } {
  let state: { status: string; errorCode?: number; since: number } = {
    status: message.initialStatus,
    since: message.receivedAt,
  };
  for (const step of message.steps) {
    if (step.at > now) break;
    state = { status: step.status, errorCode: step.errorCode, since: step.at };
  }
  return state;
}

export function toView(message: StoredMessage, now: number): MessageView {
  const { status, errorCode } = stateAt(message, now);
  const { steps: _steps, initialStatus: _initial, recipients: _recipients, ...rest } = message;
  return { ...rest, status, ...(errorCode !== undefined ? { errorCode } : {}) };
}

export class SandboxStore {
  private readonly byKey = new Map<string, StoredMessage>();
  private readonly messages: BoundedLog<StoredMessage>;
  private readonly requests: BoundedLog<RequestEntry>;
  private readonly callbacks: BoundedLog<CallbackEntry>;
  private seq = 0;
  /** SendGrid templates created through the Templates API; a reset forgets them with everything else. */
  readonly sendgridTemplates = new SendGridTemplateStore();

  constructor(maxEntries = DEFAULT_MAX_ENTRIES) {
    this.messages = new BoundedLog(maxEntries, (m) => this.byKey.delete(key(m.provider, m.id)));
    this.requests = new BoundedLog(maxEntries);
    this.callbacks = new BoundedLog(maxEntries);
  }

  /** Returns false (and keeps the first copy) when the provider already has a message with this id. */
  addMessage(message: StoredMessage): boolean {
    const k = key(message.provider, message.id);
    if (this.byKey.has(k)) return false;
    this.byKey.set(k, message);
    this.messages.push(message);
    return true;
  }

  findMessage(provider: Provider, id: string): StoredMessage | undefined {
    return this.byKey.get(key(provider, id));
  }

  /** Oldest first, as the messages arrived. */
  listMessages(filter: MessageFilter = {}, now = Date.now()): MessageView[] {
    const to = filter.to?.toLowerCase();
    return this.messages
      .all()
      .filter(
        (m) =>
          (!filter.provider || m.provider === filter.provider) &&
          (!filter.channel || m.channel === filter.channel) &&
          (!filter.id || m.id === filter.id) &&
          (!to || m.recipients.some((r) => r.toLowerCase() === to)),
      )
      .map((m) => toView(m, now));
  }

  logRequest(entry: Omit<RequestEntry, 'seq'>): RequestEntry {
    const full = { seq: ++this.seq, ...entry };
    this.requests.push(full);
    return full;
  }

  listRequests(provider?: string): RequestEntry[] {
    return this.requests.all().filter((r) => !provider || r.provider === provider);
  }

  logCallback(entry: CallbackEntry): void {
    this.callbacks.push(entry);
  }

  listCallbacks(messageId?: string): CallbackEntry[] {
    return this.callbacks.all().filter((c) => !messageId || c.messageId === messageId);
  }

  clear(): void {
    this.byKey.clear();
    this.messages.clear();
    this.requests.clear();
    this.callbacks.clear();
    this.sendgridTemplates.clear();
  }
}

function key(provider: Provider, id: string): string {
  return `${provider}:${id}`;
}
