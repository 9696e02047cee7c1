import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSandbox, type Sandbox, type SandboxOptions } from '../../apps/sandbox/sandbox';
import type { MessageView, RequestEntry } from '../../apps/sandbox/store';

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox & { base: string }> {
  const sandbox = createSandbox({
    logger: false,
    twilioStatusTiming: { sentAfterMs: 50, deliveredAfterMs: 100 },
    ...options,
  });
  const base = await sandbox.listen(0);
  return Object.assign(sandbox, { base });
}

/** Polls until `check` returns a value (not undefined/false) or the deadline passes. */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 3000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url} -> ${response.status}`);
  return (await response.json()) as T;
}

export const messagesOf = (base: string, query = '') => getJson<MessageView[]>(`${base}/sandbox/messages${query}`);
export const requestsOf = (base: string, provider: string) =>
  getJson<RequestEntry[]>(`${base}/sandbox/requests?provider=${provider}`);

export async function addFault(base: string, fault: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${base}/sandbox/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(fault),
  });
  if (response.status !== 201) throw new Error(`fault rejected: ${response.status} ${await response.text()}`);
}

export interface ReceivedCallback {
  url: string;
  headers: IncomingMessage['headers'];
  params: Record<string, string>;
}

/** A throwaway webhook receiver: records form posts and answers 204. */
export async function startCallbackServer(): Promise<{
  url: string;
  received: ReceivedCallback[];
  close: () => Promise<void>;
}> {
  const received: ReceivedCallback[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => {
      received.push({ url: req.url ?? '', headers: req.headers, params: Object.fromEntries(new URLSearchParams(raw)) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
