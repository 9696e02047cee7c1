import { Writable } from 'node:stream';
import pino from 'pino';
import { createSendGridClients } from '../../activities/providers/sendgrid-client';
import { createTwilioClient } from '../../activities/providers/twilio-client';
import { sandboxCredentials } from '../../apps/sandbox/credentials';
import { createSandbox } from '../../apps/sandbox/sandbox';
import { addFault, getJson, messagesOf, requestsOf, startCallbackServer, startSandbox, waitFor } from './helpers';

const { accountSid, authToken } = sandboxCredentials.twilio;
const from = sandboxCredentials.twilioFrom;

describe('sandbox: control plane and inspection', () => {
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  let twilioClient: ReturnType<typeof createTwilioClient>;

  beforeAll(async () => {
    sandbox = await startSandbox();
    twilioClient = createTwilioClient({ accountSid, authToken, baseUrl: `${sandbox.base}/twilio` });
  });
  afterEach(() => sandbox.reset());
  afterAll(() => sandbox.close());

  it('answers health checks', async () => {
    const response = await fetch(`${sandbox.base}/sandbox/health`);
    expect(response.status).toBe(200);
  });

  it('lists messages newest last and filters by provider and recipient', async () => {
    await twilioClient.messages.create({ to: '+15551111111', from, body: 'one' });
    await twilioClient.messages.create({ to: '+15552222222', from, body: 'two' });

    expect((await messagesOf(sandbox.base)).map((m) => m.body)).toEqual(['one', 'two']);
    expect((await messagesOf(sandbox.base, '?to=%2B15552222222')).map((m) => m.body)).toEqual(['two']);
    expect(await messagesOf(sandbox.base, '?provider=sendgrid')).toEqual([]);
  });

  it("lists Twilio messages newest first, filtered by To and From, through the SDK's messages.list", async () => {
    await twilioClient.messages.create({ to: '+15551111111', from, body: 'one' });
    await twilioClient.messages.create({ to: '+15552222222', from, body: 'two' });
    await twilioClient.messages.create({ to: '+15551111111', from, body: 'three' });

    const toFirst = await twilioClient.messages.list({ to: '+15551111111', limit: 20 });
    expect(toFirst.map((m) => m.body)).toEqual(['three', 'one']);
    expect(toFirst[0].dateCreated).toBeInstanceOf(Date);
    expect(await twilioClient.messages.list({ to: '+15551111111', from: '+15559999999' })).toEqual([]);
    expect((await twilioClient.messages.list({ limit: 2 })).map((m) => m.body)).toEqual(['three', 'two']);
  });

  it('logs raw requests with the Authorization header redacted', async () => {
    await twilioClient.messages.create({ to: '+15551111111', from, body: 'one' });
    const [entry] = await requestsOf(sandbox.base, 'twilio');
    expect(entry).toMatchObject({
      provider: 'twilio',
      method: 'POST',
      path: `/twilio/2010-04-01/Accounts/${accountSid}/Messages.json`,
      status: 201,
      body: { To: '+15551111111', Body: 'one' },
    });
    expect(entry!.headers.authorization).toBe('Basic [redacted]');
    expect(JSON.stringify(entry)).not.toContain(Buffer.from(`${accountSid}:${authToken}`).toString('base64'));
  });

  it("records calls to routes it does not emulate and answers 404 in the provider's shape", async () => {
    const error = await twilioClient.calls.list({ limit: 1 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 404, code: 20404 });
    expect((await requestsOf(sandbox.base, 'twilio'))[0]).toMatchObject({ method: 'GET', status: 404 });
  });

  it('DELETE /sandbox/messages clears messages, requests and faults, and cancels pending callbacks', async () => {
    const receiver = await startCallbackServer();
    try {
      await twilioClient.messages.create({
        to: '+15551111111',
        from,
        body: 'one',
        statusCallback: `${receiver.url}/cb`,
      });
      await addFault(sandbox.base, { provider: 'sendgrid', count: 1 });

      expect((await fetch(`${sandbox.base}/sandbox/messages`, { method: 'DELETE' })).status).toBe(204);
      expect(await messagesOf(sandbox.base)).toEqual([]);
      expect(await requestsOf(sandbox.base, 'twilio')).toEqual([]);
      expect(await getJson(`${sandbox.base}/sandbox/faults`)).toEqual([]);

      // A later message's callbacks still arrive; the cleared one's never do.
      const later = await twilioClient.messages.create({
        to: '+15552222222',
        from,
        body: 'two',
        statusCallback: `${receiver.url}/cb`,
      });
      await waitFor(() => receiver.received.length >= 2);
      expect(receiver.received.map((c) => c.params.MessageSid)).toEqual([later.sid, later.sid]);
    } finally {
      await receiver.close();
    }
  });

  it('serves a self-contained HTML inbox, newest first, with escaped content', async () => {
    const { mail } = createSendGridClients({
      apiKey: sandboxCredentials.sendgrid.apiKey,
      fromEmail: 'x@example.com',
      baseUrl: `${sandbox.base}/sendgrid/`,
    });
    await twilioClient.messages.create({ to: '+15551111111', from, body: 'first <script>alert(1)</script>' });
    await mail.send({ to: 'ada@example.com', from: 'x@example.com', subject: 'Second', html: '<p>Hi Ada</p>' });

    for (const path of ['/', '/sandbox']) {
      const response = await fetch(`${sandbox.base}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/html');
      const html = await response.text();
      expect(html).toContain('<meta http-equiv="refresh" content="2">');
      expect(html).not.toMatch(/<(script|link)\b/i);
      expect(html).toContain('&#60;script&#62;alert(1)');
      expect(html.indexOf('ada@example.com')).toBeLessThan(html.indexOf('+15551111111'));
      expect(html).toContain('Hi Ada');
    }
  });
});

describe('sandbox: logging', () => {
  it('logs one line per request without credentials', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    const sandbox = createSandbox({ logger: pino(sink) });
    const base = await sandbox.listen(0);
    try {
      const twilioClient = createTwilioClient({ accountSid, authToken, baseUrl: `${base}/twilio` });
      const { mail } = createSendGridClients({
        apiKey: sandboxCredentials.sendgrid.apiKey,
        fromEmail: 'x@example.com',
        baseUrl: `${base}/sendgrid/`,
      });
      await twilioClient.messages.create({ to: '+15551111111', from, body: 'one' });
      await mail.send({ to: 'a@example.com', from: 'x@example.com', subject: 'Hi', text: 'x' });

      await waitFor(() => lines.length >= 2);
      const messages = lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
      expect(messages).toEqual([
        expect.stringMatching(/^POST \/twilio\/2010-04-01\/Accounts\/AC\w+\/Messages\.json 201 \d+ms$/),
        expect.stringMatching(/^POST \/sendgrid\/v3\/mail\/send 202 \d+ms$/),
      ]);
      const everything = lines.join('\n');
      for (const secret of [authToken, sandboxCredentials.sendgrid.apiKey, 'Basic ', 'Bearer '])
        expect(everything).not.toContain(secret);
    } finally {
      await sandbox.close();
    }
  });

  it('exposes url only while listening', async () => {
    const sandbox = createSandbox({ logger: false });
    expect(() => sandbox.url).toThrow(/not listening/);
    const base = await sandbox.listen(0);
    expect(sandbox.url).toBe(base);
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await sandbox.close();
  });
});
