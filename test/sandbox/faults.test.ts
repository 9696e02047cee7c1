import { Analytics } from '@segment/analytics-node';
import twilio from 'twilio';
import { createSendGridClients } from '../../activities/providers/sendgrid-client';
import { createTwilioClient } from '../../activities/providers/twilio-client';
import { sandboxCredentials } from '../../apps/sandbox/credentials';
import type { Fault } from '../../apps/sandbox/faults';
import { addFault, getJson, messagesOf, requestsOf, startSandbox, waitFor } from './helpers';

const { accountSid, authToken } = sandboxCredentials.twilio;
const from = sandboxCredentials.twilioFrom;
const mailData = { to: 'a@example.com', from: 'noreply@example.com', subject: 'Hi', text: 'Hello' };

describe('sandbox: injected faults', () => {
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;

  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterEach(() => sandbox.reset());
  afterAll(() => sandbox.close());

  const sendgrid = (timeoutMs = 2000) =>
    createSendGridClients({
      apiKey: sandboxCredentials.sendgrid.apiKey,
      fromEmail: 'noreply@example.com',
      baseUrl: `${sandbox.base}/sendgrid/`,
      timeoutMs,
    }).mail;
  const twilioClient = (timeoutMs = 2000) =>
    createTwilioClient({ accountSid, authToken, baseUrl: `${sandbox.base}/twilio`, timeoutMs });

  it('fails the next N calls with the status, then lets calls through', async () => {
    await addFault(sandbox.base, { provider: 'sendgrid', count: 2, status: 503 });
    expect(await getJson<Fault[]>(`${sandbox.base}/sandbox/faults`)).toEqual([
      expect.objectContaining({ provider: 'sendgrid', remaining: 2, status: 503 }),
    ]);
    const mail = sendgrid();

    for (let i = 0; i < 2; i++) {
      const error = await mail.send(mailData).catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: 503,
        message: 'Service Unavailable',
        response: { body: { errors: [expect.objectContaining({ field: null })] } },
      });
    }
    const [response] = await mail.send(mailData);
    expect(response.statusCode).toBe(202);

    expect(await messagesOf(sandbox.base)).toHaveLength(1);
    expect((await requestsOf(sandbox.base, 'sendgrid')).map((r) => [r.status, r.fault])).toEqual([
      [503, 'status'],
      [503, 'status'],
      [202, undefined],
    ]);
    expect(await getJson<Fault[]>(`${sandbox.base}/sandbox/faults`)).toEqual([]);
  });

  it('only affects the provider it names', async () => {
    await addFault(sandbox.base, { provider: 'twilio', count: 1, status: 500 });
    const [response] = await sendgrid().send(mailData);
    expect(response.statusCode).toBe(202);
    expect(await getJson<Fault[]>(`${sandbox.base}/sandbox/faults`)).toHaveLength(1);
  });

  it("answers a Twilio 429 in Twilio's error shape (20429)", async () => {
    await addFault(sandbox.base, { provider: 'twilio', count: 1, status: 429 });
    const error = await twilioClient()
      .messages.create({ to: '+15551234567', from, body: 'hi' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(twilio.RestException);
    expect(error).toMatchObject({ status: 429, code: 20429 });
  });

  it('holds a request past the client timeout with a timeout fault', async () => {
    await addFault(sandbox.base, { provider: 'twilio', count: 1, mode: 'timeout', delayMs: 10_000 });
    const started = Date.now();
    const error = await twilioClient(300)
      .messages.create({ to: '+15551234567', from, body: 'hi' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ECONNABORTED' });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await messagesOf(sandbox.base)).toHaveLength(0);
    expect((await requestsOf(sandbox.base, 'twilio'))[0]).toMatchObject({ fault: 'timeout', status: null });
  });

  it('answers 503 once the timeout delay is over', async () => {
    await addFault(sandbox.base, { provider: 'sendgrid', count: 1, mode: 'timeout', delayMs: 100 });
    const error = await sendgrid()
      .send(mailData)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 503 });
  });

  it('times out a SendGrid call with a 300 ms timeout', async () => {
    await addFault(sandbox.base, { provider: 'sendgrid', count: 1, mode: 'timeout' });
    const error = await sendgrid(300)
      .send(mailData)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ECONNABORTED' });
  });

  it('drop: records the mail but the client gets no answer', async () => {
    await addFault(sandbox.base, { provider: 'sendgrid', count: 1, mode: 'drop' });
    const error = await sendgrid()
      .send(mailData)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as { code?: unknown }).code).toBe('ECONNRESET');

    const [message] = await messagesOf(sandbox.base);
    expect(message).toMatchObject({ provider: 'sendgrid', to: 'a@example.com', body: 'Hello' });
    expect((await requestsOf(sandbox.base, 'sendgrid'))[0]).toMatchObject({ fault: 'drop', status: null });
  });

  it('drop: a Twilio message created on a dropped connection still progresses (the double-send case)', async () => {
    await addFault(sandbox.base, { provider: 'twilio', count: 1, mode: 'drop' });
    const client = twilioClient();
    await expect(client.messages.create({ to: '+15551234567', from, body: 'hi' })).rejects.toThrow();
    await client.messages.create({ to: '+15551234567', from, body: 'hi' });
    const messages = await waitFor(async () => {
      const all = await messagesOf(sandbox.base);
      return all.every((m) => m.status === 'delivered') && all;
    });
    expect(messages).toHaveLength(2);
  });

  it('slow: records the message at once and answers after delayMs, or never if the client has gone', async () => {
    await addFault(sandbox.base, { provider: 'twilio', count: 2, mode: 'slow', delayMs: 400 });
    const client = twilioClient();
    const sent = client.messages.create({ to: '+15551234567', from, body: 'slow' });
    const recorded = await waitFor(async () => {
      const all = await messagesOf(sandbox.base);
      return all.length === 1 && all;
    });
    expect(recorded[0]).toMatchObject({ to: '+15551234567', body: 'slow' });
    expect((await requestsOf(sandbox.base, 'twilio'))[0]).toMatchObject({ fault: 'slow', status: null });
    expect((await sent).sid).toBe(recorded[0].id);
    expect((await requestsOf(sandbox.base, 'twilio'))[0]).toMatchObject({ status: 201 });

    // A client that gives up (as a killed worker does) gets nothing; the message stays.
    const controller = new AbortController();
    const gaveUp = fetch(`${sandbox.base}/twilio/2010-04-01/Accounts/${accountSid}/Messages.json`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ To: '+15557654321', From: from, Body: 'gone' }).toString(),
      signal: controller.signal,
    }).catch((e: unknown) => e);
    await waitFor(async () => (await messagesOf(sandbox.base)).length === 2);
    controller.abort();
    expect(await gaveUp).toMatchObject({ name: 'AbortError' });
    expect((await messagesOf(sandbox.base)).map((m) => m.body)).toEqual(['slow', 'gone']);
  });

  it('Segment: a 500 is retried by the SDK and the event is recorded once', async () => {
    await addFault(sandbox.base, { provider: 'segment', count: 1, status: 500 });
    const analytics = new Analytics({
      writeKey: sandboxCredentials.segment.writeKey,
      host: sandbox.base,
      path: '/segment/v1/batch',
      flushAt: 1,
      maxRetries: 1,
    });
    analytics.track({ userId: 'u1', event: 'Retried' });
    await analytics.closeAndFlush({ timeout: 10_000 });
    expect((await requestsOf(sandbox.base, 'segment')).map((r) => r.status)).toEqual([500, 200]);
    expect(await messagesOf(sandbox.base, '?provider=segment')).toHaveLength(1);
  });

  it('Segment: a dropped batch is retried by the SDK and deduplicated by messageId', async () => {
    await addFault(sandbox.base, { provider: 'segment', count: 1, mode: 'drop' });
    const analytics = new Analytics({
      writeKey: sandboxCredentials.segment.writeKey,
      host: sandbox.base,
      path: '/segment/v1/batch',
      flushAt: 1,
      maxRetries: 1,
    });
    analytics.track({ userId: 'u1', event: 'Dropped once' });
    await analytics.closeAndFlush({ timeout: 10_000 });
    expect((await requestsOf(sandbox.base, 'segment')).map((r) => [r.fault, r.status])).toEqual([
      ['drop', null],
      [undefined, 200],
    ]);
    expect(await messagesOf(sandbox.base, '?provider=segment')).toEqual([
      expect.objectContaining({ subject: 'Dropped once' }),
    ]);
  });

  it('lists, clears and validates faults', async () => {
    await addFault(sandbox.base, { provider: 'segment', count: 3, mode: 'drop' });
    expect(await getJson<Fault[]>(`${sandbox.base}/sandbox/faults`)).toHaveLength(1);
    expect((await fetch(`${sandbox.base}/sandbox/faults`, { method: 'DELETE' })).status).toBe(204);
    expect(await getJson<Fault[]>(`${sandbox.base}/sandbox/faults`)).toEqual([]);

    const invalid = await fetch(`${sandbox.base}/sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'fcm', count: 1 }),
    });
    expect(invalid.status).toBe(400);
  });
});
