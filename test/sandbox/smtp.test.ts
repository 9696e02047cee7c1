import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import {
  createSmtpEmailProvider,
  type SmtpEmailProvider,
  type SmtpSettings,
} from '../../activities/providers/smtp-email';
import type { EmailRequest } from '../../activities/ports';
import { FaultQueue } from '../../apps/sandbox/faults';
import { createSmtpSink, type SmtpSink, type SmtpFaultSource, type SmtpStoredMessage } from '../../apps/sandbox/smtp';
import { SandboxStore } from '../../apps/sandbox/store';

const request = (to: string, overrides: Partial<EmailRequest> = {}): EmailRequest => ({
  messageId: '1-abc',
  to,
  subject: 'Welcome',
  text: 'Hello Ada',
  html: '<p>Hello <b>Ada</b></p>',
  ...overrides,
});

/** Resolves with what `promise` rejected with; fails the test when it resolves. */
async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a failure, got ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(ApplicationFailure);
  return outcome.error as ApplicationFailure;
}

/** A port nothing listens on: bind one, then let it go. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  return port;
}

/** A fault queue stand-in: the sandbox's FaultQueue does not know the `smtp` provider yet. */
type SmtpFault = NonNullable<ReturnType<SmtpFaultSource['take']>>;
function stubFaults(): SmtpFaultSource & { pending: SmtpFault[] } {
  const pending: SmtpFault[] = [];
  return { pending, take: () => pending.shift() };
}

describe('SMTP email provider against the sandbox SMTP sink', () => {
  const received: SmtpStoredMessage[] = [];
  const faults = stubFaults();
  let sink: SmtpSink;
  let port: number;
  const providers: SmtpEmailProvider[] = [];

  const provider = (settings: Partial<SmtpSettings> = {}, atPort = port) => {
    const created = createSmtpEmailProvider({
      host: '127.0.0.1',
      port: atPort,
      fromEmail: 'noreply@herald.local',
      fromName: 'Herald',
      timeoutMs: 2000,
      ...settings,
    });
    providers.push(created);
    return created;
  };

  beforeAll(async () => {
    sink = createSmtpSink({ store: (message) => received.push(message), faults });
    port = await sink.listen(0);
  });
  afterEach(() => {
    for (const p of providers.splice(0)) p.close();
    received.length = 0;
    faults.pending.length = 0;
  });
  afterAll(() => sink.close());

  it('delivers a mail over real SMTP and records it with content, addresses and the Herald header', async () => {
    const acceptance = await provider().send(request('ada@example.com'));

    expect(acceptance).toEqual({
      providerMessageId: expect.stringMatching(/^[^<>\s]+@[^<>\s]+$/),
      referenceName: 'message-id',
      tracking: 'none',
    });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      id: acceptance.providerMessageId,
      provider: 'smtp',
      channel: 'email',
      to: 'ada@example.com',
      from: 'noreply@herald.local',
      subject: 'Welcome',
      body: 'Hello Ada',
      html: '<p>Hello <b>Ada</b></p>',
      initialStatus: 'accepted',
      recipients: ['ada@example.com'],
      params: {
        headers: { 'x-herald-message-id': '1-abc', 'message-id': `<${acceptance.providerMessageId}>` },
        envelope: { mailFrom: 'noreply@herald.local', rcptTo: ['ada@example.com'] },
      },
    });
    expect(received[0]!.params).not.toHaveProperty('user');
  });

  it('reuses the pooled connection for several mails, including after a refused recipient', async () => {
    const smtp = provider();
    const first = await smtp.send(request('a@example.com', { messageId: 'm1' }));
    await failureOf(smtp.send(request('reject-permanent@example.com', { messageId: 'm2' })));
    const third = await smtp.send(request('c@example.com', { messageId: 'm3' }));

    expect(received.map((m) => [m.to, m.params.headers['x-herald-message-id']])).toEqual([
      ['a@example.com', 'm1'],
      ['c@example.com', 'm3'],
    ]);
    expect(new Set([first.providerMessageId, third.providerMessageId]).size).toBe(2);
  });

  it('turns 550 for reject-permanent@ into a non-retryable ProviderRejected', async () => {
    const failure = await failureOf(provider().send(request('reject-permanent@example.com')));
    expect(failure.type).toBe('ProviderRejected');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/^smtp: .*550/);
    expect(failure.details).toEqual([expect.objectContaining({ provider: 'smtp', responseCode: 550 })]);
    expect(received).toHaveLength(0);
  });

  it('turns 451 for reject-temporary@ into a retryable ProviderUnavailable', async () => {
    const failure = await failureOf(provider().send(request('Reject-Temporary@example.org')));
    expect(failure.type).toBe('ProviderUnavailable');
    expect(failure.nonRetryable).toBe(false);
    expect(failure.details).toEqual([expect.objectContaining({ responseCode: 451 })]);
    expect(received).toHaveLength(0);
  });

  it('accepts any AUTH when the sink has no credentials configured', async () => {
    await provider({ user: 'someone', password: 'anything' }).send(request('ada@example.com'));
    expect(received.map((m) => m.params.user)).toEqual(['someone']);
  });

  it('turns a refused connection into a retryable ProviderUnavailable', async () => {
    const failure = await failureOf(provider({}, await closedPort()).send(request('ada@example.com')));
    expect(failure.type).toBe('ProviderUnavailable');
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toMatch(/ECONNREFUSED/);
  });

  describe('injected faults (claimed one per mail at MAIL FROM)', () => {
    it('answers a 5xx status fault with 554 (ProviderRejected), then lets the next mail through', async () => {
      faults.pending.push({ mode: 'status', status: 503, delayMs: 0 });
      const smtp = provider();
      const failure = await failureOf(smtp.send(request('ada@example.com')));
      expect(failure.type).toBe('ProviderRejected');
      expect(failure.details).toEqual([expect.objectContaining({ responseCode: 554 })]);

      await smtp.send(request('ada@example.com'));
      expect(received).toHaveLength(1);
    });

    it('answers a 4xx status fault with 451 (ProviderUnavailable)', async () => {
      faults.pending.push({ mode: 'status', status: 429, delayMs: 0 });
      const failure = await failureOf(provider().send(request('ada@example.com')));
      expect(failure.type).toBe('ProviderUnavailable');
      expect(failure.details).toEqual([expect.objectContaining({ responseCode: 451 })]);
    });

    it('answers a drop fault with 421 and closes the connection (ProviderUnavailable)', async () => {
      faults.pending.push({ mode: 'drop', status: 500, delayMs: 0 });
      const smtp = provider();
      const failure = await failureOf(smtp.send(request('ada@example.com')));
      expect(failure.type).toBe('ProviderUnavailable');
      expect(failure.details).toEqual([expect.objectContaining({ responseCode: 421 })]);
      // The pool opens a new connection for the next mail.
      await smtp.send(request('ada@example.com'));
      expect(received).toHaveLength(1);
    });

    it('holds the reply of a timeout fault past the client timeout (ProviderUnavailable)', async () => {
      faults.pending.push({ mode: 'timeout', status: 503, delayMs: 30_000 });
      const started = Date.now();
      const failure = await failureOf(provider({ timeoutMs: 300 }).send(request('ada@example.com')));
      expect(failure.type).toBe('ProviderUnavailable');
      expect(failure.details).toEqual([expect.objectContaining({ code: 'ETIMEDOUT' })]);
      expect(Date.now() - started).toBeLessThan(5000);
    });
  });
});

describe('sandbox SMTP sink with credentials', () => {
  const credentials = { user: 'herald', password: 'S3cret-sandbox-pass' };
  const received: SmtpStoredMessage[] = [];
  let sink: SmtpSink;
  let port: number;
  const providers: SmtpEmailProvider[] = [];
  const provider = (settings: Partial<SmtpSettings>) => {
    const created = createSmtpEmailProvider({
      host: '127.0.0.1',
      port,
      fromEmail: 'noreply@herald.local',
      ...settings,
    });
    providers.push(created);
    return created;
  };

  beforeAll(async () => {
    sink = createSmtpSink({ store: { addMessage: (message) => received.push(message) }, credentials });
    port = await sink.listen();
  });
  afterEach(() => {
    for (const p of providers.splice(0)) p.close();
    received.length = 0;
  });
  afterAll(() => sink.close());

  it('accepts the right user and password and records the AUTH user', async () => {
    await provider(credentials).send(request('ada@example.com'));
    expect(received).toHaveLength(1);
    expect(received[0]!.params.user).toBe('herald');
  });

  it('turns a wrong password into a non-retryable ProviderMisconfigured that does not contain the password', async () => {
    const wrongPassword = 'Wr0ng-pass-do-not-leak';
    const failure = await failureOf(
      provider({ user: 'herald', password: wrongPassword }).send(request('a@example.com')),
    );
    expect(failure.type).toBe('ProviderMisconfigured');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.details).toEqual([expect.objectContaining({ code: 'EAUTH', responseCode: 535 })]);
    const everything = JSON.stringify({ message: failure.message, stack: failure.stack, details: failure.details });
    for (const secret of [wrongPassword, Buffer.from(`\u0000herald\u0000${wrongPassword}`).toString('base64')]) {
      expect(everything).not.toContain(secret);
    }
    expect(received).toHaveLength(0);
  });

  it('refuses a client that does not authenticate (530, ProviderMisconfigured)', async () => {
    const failure = await failureOf(provider({}).send(request('a@example.com')));
    expect(failure.type).toBe('ProviderMisconfigured');
    expect(failure.details).toEqual([expect.objectContaining({ responseCode: 530 })]);
  });
});

describe("sandbox SMTP sink on the sandbox's own store and fault queue", () => {
  it('lists mails as accepted smtp email messages and consumes smtp faults only', async () => {
    const store = new SandboxStore();
    const faults = new FaultQueue();
    const sink = createSmtpSink({ store, faults });
    const smtp = createSmtpEmailProvider({ host: '127.0.0.1', port: await sink.listen(), fromEmail: 'n@herald.local' });
    try {
      faults.add({ provider: 'sendgrid', count: 1, status: 500 });
      faults.add({ provider: 'smtp', count: 1, status: 503 });
      const failure = await failureOf(smtp.send(request('ada@example.com')));
      expect(failure.type).toBe('ProviderRejected');
      const { providerMessageId } = await smtp.send(request('ada@example.com'));

      expect(store.listMessages({ provider: 'smtp', to: 'ADA@example.com' })).toEqual([
        expect.objectContaining({ id: providerMessageId, channel: 'email', status: 'accepted', subject: 'Welcome' }),
      ]);
      expect(faults.list()).toEqual([expect.objectContaining({ provider: 'sendgrid' })]);
    } finally {
      smtp.close();
      await sink.close();
    }
  });
});

describe('sandbox SMTP sink lifecycle', () => {
  it('closes promptly while a pooled client still holds an idle connection', async () => {
    const sink = createSmtpSink({ store: () => undefined });
    const port = await sink.listen(0);
    const smtp = createSmtpEmailProvider({ host: '127.0.0.1', port, fromEmail: 'noreply@herald.local' });
    try {
      await smtp.send(request('ada@example.com'));
      const started = Date.now();
      await sink.close();
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      smtp.close();
      await sink.close();
    }
  });

  it('answers 451 rather than hanging when recording a mail fails', async () => {
    const sink = createSmtpSink({
      store: () => {
        throw new Error('store is broken');
      },
    });
    const smtp = createSmtpEmailProvider({ host: '127.0.0.1', port: await sink.listen(), fromEmail: 'n@herald.local' });
    try {
      const failure = await failureOf(smtp.send(request('ada@example.com')));
      expect(failure.type).toBe('ProviderUnavailable');
      expect(failure.details).toEqual([expect.objectContaining({ responseCode: 451 })]);
    } finally {
      smtp.close();
      await sink.close();
    }
  });

  it('rejects listen() on a port that is taken', async () => {
    const first = createSmtpSink({ store: () => undefined });
    const second = createSmtpSink({ store: () => undefined });
    try {
      const port = await first.listen(0);
      await expect(second.listen(port)).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});
