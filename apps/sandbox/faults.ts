import { z } from 'zod';
import type { Provider } from './store';

export const DEFAULT_FAULT_STATUS = 500;
export const DEFAULT_TIMEOUT_DELAY_MS = 30_000;

export const faultSpecSchema = z.object({
  provider: z.enum(['twilio', 'sendgrid', 'segment', 'smtp', 'firebase-fcm', 'webhook'] satisfies Provider[]),
  count: z.number().int().min(1).max(100_000).default(1),
  mode: z.enum(['status', 'timeout', 'drop', 'slow']).default('status'),
  status: z.number().int().min(400).max(599).optional(),
  delayMs: z.number().int().min(0).max(600_000).optional(),
  /** Adds `Retry-After` to `status` answers; analytics-node waits that long instead of counting a retry. */
  retryAfterSeconds: z.number().int().min(0).max(3600).optional(),
});
export type FaultSpec = z.input<typeof faultSpecSchema>;

export interface Fault {
  id: number;
  provider: Provider;
  mode: 'status' | 'timeout' | 'drop' | 'slow';
  status: number;
  delayMs: number;
  retryAfterSeconds?: number;
  remaining: number;
}

/** Pending faults, consumed first-in first-out per provider, one unit per API call. */
export class FaultQueue {
  private faults: Fault[] = [];
  private nextId = 1;

  add(spec: FaultSpec): Fault {
    const parsed = faultSpecSchema.parse(spec);
    const fault: Fault = {
      id: this.nextId++,
      provider: parsed.provider,
      mode: parsed.mode,
      // A timeout ends in 503 because that is what a proxy in front of a stuck upstream would answer.
      status: parsed.status ?? (parsed.mode === 'timeout' ? 503 : DEFAULT_FAULT_STATUS),
      delayMs: parsed.delayMs ?? DEFAULT_TIMEOUT_DELAY_MS,
      retryAfterSeconds: parsed.retryAfterSeconds,
      remaining: parsed.count,
    };
    this.faults.push(fault);
    return fault;
  }

  /** Claims one unit of the oldest pending fault for `provider`, if any. */
  take(provider: Provider): Fault | undefined {
    const fault = this.faults.find((f) => f.provider === provider);
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
    return { ...fault };
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  clear(): void {
    this.faults = [];
  }
}
