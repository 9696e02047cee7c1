/**
 * How long to keep asking a provider with a status API (Twilio) about a message, and how often. Starts fast
 * because most SMS resolve within seconds, then backs off so a slow carrier costs few history events.
 */
export const pollDelaysMs: readonly number[] = [
  1_000, 2_000, 4_000, 8_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000,
];
const maxDelayMs = 1_800_000;

/** Twilio keeps trying a message for at most its validity period (36,000 s); a day covers that with margin. */
export const trackingWindowMs = 24 * 3_600_000;

/** The delay before poll number `attempt` (0-based). */
export function pollDelay(attempt: number): number {
  return attempt < pollDelaysMs.length ? pollDelaysMs[attempt] : maxDelayMs;
}
