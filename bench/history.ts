import type { Client } from '@temporalio/client';
import { mean } from './stats';
import { spreadSample } from './util';

export interface HistoryStats {
  sampled: number;
  meanEvents: number;
  /** Mean count per workflow of each event type, e.g. `workflowTaskScheduled: 3`. */
  perType: Record<string, number>;
}

/** The event's type, read from whichever `…EventAttributes` field it carries (avoids the proto enum). */
function eventType(event: object): string {
  for (const [key, value] of Object.entries(event)) {
    if (key.endsWith('EventAttributes') && value) return key.slice(0, -'EventAttributes'.length);
  }
  return 'unknown';
}

/** History length of a sample of finished workflows: a structural cost per message, independent of timing noise. */
export async function historyStats(client: Client, workflowIds: string[], sampleSize = 20): Promise<HistoryStats> {
  const sample = spreadSample(workflowIds.length, sampleSize).map((i) => workflowIds[i]);
  const counts: number[] = [];
  const perType: Record<string, number> = {};
  for (const id of sample) {
    const events = (await client.workflow.getHandle(id).fetchHistory()).events ?? [];
    counts.push(events.length);
    for (const event of events) {
      const type = eventType(event);
      perType[type] = (perType[type] ?? 0) + 1 / sample.length;
    }
  }
  return { sampled: sample.length, meanEvents: mean(counts), perType };
}
