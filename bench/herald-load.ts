import type { Client } from '@temporalio/client';
import { ratePerSecond, summarize, type Summary } from './stats';
import { limiter, sleep, spreadSample, withDeadline } from './util';
import type { LoadOptions } from './baseline-load';

export interface HeraldTarget {
  gatewayUrl: string;
  sandboxUrl: string;
  apiKey: string;
}

export interface HeraldRun {
  n: number;
  concurrency: number;
  /** N / (first request → last sandbox receipt). */
  messagesPerSecond: number;
  /** N / (first request → last workflow result). */
  completedPerSecond: number;
  /** N / (first request → last 202): how fast the gateway accepted. */
  acceptedPerSecond: number;
  elapsedToReceiptMs: number;
  elapsedToCompletedMs: number;
  /** Sandbox `receivedAt` − request start. */
  latencyToReceiptMs: Summary;
  /** Time until the gateway's 202. */
  acceptMs: Summary;
  /** Workflow result received − request start (includes waiting for the provider's final status). */
  latencyToCompletedMs: Summary;
  /** Extra copies of an SMS the sandbox received (a provider call retried after it had been accepted). */
  duplicateReceipts: number;
  workflowIds: string[];
}

/** Each message goes to its own number, so every sandbox receipt maps back to its request. */
export const phoneNumber = (index: number) => `+1555${String(index).padStart(7, '0')}`;

/** The seed's SMS example, to one number. */
function seedSms(phone: string, index: number) {
  return {
    message: {
      to: { user_id: `bench-user-${index}`, phone_number: phone },
      content: { body: 'Your order {{order_id}} has shipped! Track it at {{tracking_url}}' },
      data: { order_id: `ORD-${index}`, tracking_url: `https://track.example.com/ORD-${index}` },
      routing: { method: 'single', channels: ['sms'] },
    },
  };
}

interface SandboxReceipt {
  to: string;
  receivedAt: number;
}

/**
 * Sends N SMS through `POST /send` (at most C requests in flight), waits for every one to reach the provider
 * sandbox and for every workflow to finish DELIVERED. Throws, with counts, if any is refused, lost or not delivered.
 */
export async function runHeraldLoad(
  client: Client,
  target: HeraldTarget,
  options: LoadOptions & { firstPhone: number },
): Promise<HeraldRun> {
  const { n, concurrency, runId } = options;
  const phones = Array.from({ length: n }, (_, i) => phoneNumber(options.firstPhone + i));
  const indexOf = new Map(phones.map((phone, i) => [phone, i]));
  const startAt: number[] = new Array(n);
  const acceptedAt: number[] = new Array(n);
  const receivedAt: number[] = new Array(n);
  const resultAt: number[] = new Array(n);
  const ids: string[] = new Array(n);
  const problems: string[] = [];
  let accepted = 0;
  let received = 0;
  let finished = 0;
  let sendingDone = false;

  const sendSlot = limiter(concurrency);
  const resultSlot = limiter(concurrency);
  const sends = Promise.all(
    phones.map(async (phone, i) => {
      const id = await sendSlot(async () => {
        startAt[i] = Date.now();
        let response: Response;
        let body: string;
        try {
          response = await fetch(`${target.gatewayUrl}/send`, {
            signal: options.signal,
            method: 'POST',
            headers: { authorization: `Bearer ${target.apiKey}`, 'content-type': 'application/json' },
            body: JSON.stringify(seedSms(phone, i)),
          });
          body = await response.text();
        } catch (error) {
          options.signal?.throwIfAborted();
          problems.push(`POST /send for ${phone} failed: ${(error as Error).message}`);
          return undefined;
        }
        acceptedAt[i] = Date.now();
        if (response.status !== 202) {
          problems.push(`POST /send for ${phone} answered ${response.status}: ${body.slice(0, 200)}`);
          return undefined;
        }
        accepted++;
        return (JSON.parse(body) as { requestId: string }).requestId;
      });
      if (!id) return;
      ids[i] = id;
      await resultSlot(async () => {
        const result = await client.workflow.getHandle(id).result();
        resultAt[i] = Date.now();
        finished++;
        if (result?.status !== 'DELIVERED') problems.push(`message ${id} ended ${JSON.stringify(result)}`);
      });
    }),
  ).finally(() => (sendingDone = true));

  // The sandbox is asked once a second; the whole list comes back each time, so not more often.
  const receipts = (async () => {
    while (!(sendingDone && received >= accepted)) {
      await sleep(1_000);
      const response = await fetch(`${target.sandboxUrl}/sandbox/messages?provider=twilio`, { signal: options.signal });
      if (!response.ok) throw new Error(`sandbox answered ${response.status} to GET /sandbox/messages`);
      const seen = new Set<number>();
      // Oldest first, so the first copy of an SMS is the one that counts.
      for (const message of (await response.json()) as SandboxReceipt[]) {
        const i = indexOf.get(message.to);
        if (i === undefined || seen.has(i)) continue;
        seen.add(i);
        receivedAt[i] ??= message.receivedAt;
      }
      received = seen.size;
    }
  })();

  await withDeadline(
    Promise.all([sends, receipts]),
    options.timeoutMs,
    () =>
      `Herald run ${runId}: of ${n} messages ${accepted} were accepted (202), ${received} reached the sandbox, ` +
      `${finished} workflows finished` +
      (problems.length ? `; first problems: ${problems.slice(0, 3).join(' | ')}` : ''),
  );
  if (problems.length > 0 || received < n) {
    throw new Error(
      `Herald run ${runId}: ${problems.length} problem(s), ${received}/${n} messages reached the sandbox: ` +
        problems.slice(0, 5).join(' | '),
    );
  }
  const duplicates = await countDuplicates(target.sandboxUrl, indexOf);

  const first = Math.min(...startAt);
  const lastReceipt = Math.max(...receivedAt);
  const lastResult = Math.max(...resultAt);
  return {
    n,
    concurrency,
    messagesPerSecond: ratePerSecond(n, first, lastReceipt),
    completedPerSecond: ratePerSecond(n, first, lastResult),
    acceptedPerSecond: ratePerSecond(n, first, Math.max(...acceptedAt)),
    elapsedToReceiptMs: lastReceipt - first,
    elapsedToCompletedMs: lastResult - first,
    latencyToReceiptMs: summarize(receivedAt.map((t, i) => t - startAt[i])),
    acceptMs: summarize(acceptedAt.map((t, i) => t - startAt[i])),
    latencyToCompletedMs: summarize(resultAt.map((t, i) => t - startAt[i])),
    duplicateReceipts: duplicates,
    workflowIds: ids,
  };
}

async function countDuplicates(sandboxUrl: string, indexOf: Map<string, number>): Promise<number> {
  const response = await fetch(`${sandboxUrl}/sandbox/messages?provider=twilio`);
  const ours = ((await response.json()) as SandboxReceipt[]).filter((m) => indexOf.has(m.to));
  return ours.length - new Set(ours.map((m) => m.to)).size;
}

/**
 * Cross-checks a finished run outside the workflows' own results: no `sendMessage` workflow left running (per
 * Temporal visibility, which lags a little), and a sample of messages DELIVERED in the message log.
 */
export async function verifyHeraldRun(client: Client, target: HeraldTarget, ids: string[]): Promise<void> {
  const query = "WorkflowType='sendMessage' AND ExecutionStatus='Running'";
  let running = -1;
  await withDeadline(
    (async () => {
      while ((running = (await client.workflow.count(query)).count) > 0) await sleep(500);
    })(),
    60_000,
    () => `${running} sendMessage workflows still Running per visibility a minute after all results arrived`,
  );
  for (const i of spreadSample(ids.length, 20)) {
    const response = await fetch(`${target.gatewayUrl}/messages/${ids[i]}`, {
      headers: { authorization: `Bearer ${target.apiKey}` },
    });
    const record = (await response.json()) as { status?: string };
    if (record.status !== 'DELIVERED') {
      throw new Error(`message log: ${ids[i]} is ${record.status ?? `HTTP ${response.status}`}, expected DELIVERED`);
    }
  }
}
