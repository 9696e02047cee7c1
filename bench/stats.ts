/** Latency summaries for the report. Nearest-rank percentiles: simple, and exact enough for hundreds of samples. */

export interface Summary {
  count: number;
  p50: number;
  p99: number;
  mean: number;
  max: number;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function summarize(values: readonly number[]): Summary {
  const mean = values.length ? values.reduce((sum, v) => sum + v, 0) / values.length : NaN;
  return {
    count: values.length,
    p50: percentile(values, 50),
    p99: percentile(values, 99),
    mean,
    max: values.length ? Math.max(...values) : NaN,
  };
}

/** `count` items per second over the span from `from` to `to` (epoch ms). */
export function ratePerSecond(count: number, from: number, to: number): number {
  return to > from ? (count * 1000) / (to - from) : NaN;
}

export const mean = (values: readonly number[]): number =>
  values.length ? values.reduce((sum, v) => sum + v, 0) / values.length : NaN;
