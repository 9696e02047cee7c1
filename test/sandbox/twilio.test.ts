import twilio from 'twilio';
import { createTwilioClient } from '../../activities/providers/twilio-client';
import { sandboxCredentials } from '../../apps/sandbox/credentials';
import { messagesOf, startCallbackServer, startSandbox, waitFor } from './helpers';

const { accountSid, authToken } = sandboxCredentials.twilio;
const from = sandboxCredentials.twilioFrom;

describe('sandbox: Twilio Messaging through the twilio SDK', () => {
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  let client: ReturnType<typeof createTwilioClient>;

  beforeAll(async () => {
    sandbox = await startSandbox();
    client = createTwilioClient({ accountSid, authToken, baseUrl: `${sandbox.base}/twilio`, timeoutMs: 2000 });
  });
  afterEach(() => sandbox.reset());
  afterAll(() => sandbox.close());

  it('creates a message (201) with a realistic resource and lists it', async () => {
    const message = await client.messages.create({
      to: '+15551234567',
      from,
      body: 'Your code is 123456',
      validityPeriod: 60,
    });

    expect(message.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(message).toMatchObject({
      accountSid,
      to: '+15551234567',
      from,
      body: 'Your code is 123456',
      status: 'queued',
      direction: 'outbound-api',
      numSegments: '1',
      numMedia: '0',
      errorCode: null,
      dateSent: null,
      apiVersion: '2010-04-01',
      uri: `/2010-04-01/Accounts/${accountSid}/Messages/${message.sid}.json`,
    });
    expect(message.dateCreated).toBeInstanceOf(Date);
    expect(Math.abs(message.dateCreated.getTime() - Date.now())).toBeLessThan(5000);

    const listed = await messagesOf(sandbox.base, '?provider=twilio');
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      id: message.sid,
      provider: 'twilio',
      channel: 'sms',
      to: '+15551234567',
      from,
      body: 'Your code is 123456',
      params: { To: '+15551234567', From: from, Body: 'Your code is 123456', ValidityPeriod: '60' },
    });
  });

  it('keeps repeated MediaUrl values and makes an MMS sid', async () => {
    const message = await client.messages.create({
      to: '+15551234567',
      from,
      mediaUrl: ['https://x/a.png', 'https://x/b.png'],
    });
    expect(message.sid).toMatch(/^MM[0-9a-f]{32}$/);
    expect(message.numMedia).toBe('2');
    const [listed] = await messagesOf(sandbox.base, `?id=${message.sid}`);
    expect(listed?.params).toMatchObject({ MediaUrl: ['https://x/a.png', 'https://x/b.png'] });
  });

  it('counts segments like Twilio (GSM-7 vs UCS-2)', async () => {
    const long = await client.messages.create({ to: '+15551234567', from, body: 'a'.repeat(161) });
    const unicode = await client.messages.create({ to: '+15551234567', from, body: 'é€ 😀'.repeat(20) });
    expect(long.numSegments).toBe('2');
    expect(unicode.numSegments).toBe('2');
  });

  it('moves the status on with time: queued, sent, delivered', async () => {
    const created = await client.messages.create({ to: '+15551234567', from, body: 'hi' });
    const delivered = await waitFor(async () => {
      const fetched = await client.messages(created.sid).fetch();
      return fetched.status === 'delivered' && fetched;
    });
    expect(delivered.dateSent).toBeInstanceOf(Date);
    expect(delivered.price).toBe('-0.00790');
    expect((await messagesOf(sandbox.base))[0]?.status).toBe('delivered');
  });

  it('starts service sends as accepted', async () => {
    const message = await client.messages.create({
      to: '+15551234567',
      messagingServiceSid: 'MG' + '0'.repeat(32),
      body: 'hi',
    });
    expect(message.status).toBe('accepted');
    expect(message.numSegments).toBe('0');
    expect(message.from).toBeNull();
    expect(message.messagingServiceSid).toBe('MG' + '0'.repeat(32));
  });

  it('ends magic delivery-failure numbers as undelivered 30003 and failed 30001', async () => {
    const undelivered = await client.messages.create({ to: '+15005550010', from, body: 'hi' });
    const failed = await client.messages.create({ to: '+15005550011', from, body: 'hi' });
    const final = await waitFor(async () => {
      const [u, f] = await Promise.all([client.messages(undelivered.sid).fetch(), client.messages(failed.sid).fetch()]);
      return u.status === 'undelivered' && f.status === 'failed' && { u, f };
    });
    expect(final.u.errorCode).toBe(30003);
    expect(final.f.errorCode).toBe(30001);
  });

  it.each([
    [{ to: '+15005550001', from }, 21211],
    [{ to: 'not-a-number', from }, 21211],
    [{ to: '+15005550002', from }, 21612],
    [{ to: '+15005550003', from }, 21408],
    [{ to: '+15005550004', from }, 21610],
    [{ to: '+15005550009', from }, 21614],
    [{ to: '+15551234567', from: '+15005550001' }, 21212],
    [{ to: '+15551234567', from: '+15005550007' }, 21606],
    [{ to: '+15551234567', from: '+15005550008' }, 21611],
  ])('rejects %j with RestException %i', async (params, code) => {
    const error = await client.messages.create({ ...params, body: 'hi' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(twilio.RestException);
    expect(error).toMatchObject({ status: 400, code, moreInfo: `https://www.twilio.com/docs/errors/${code}` });
    expect(await messagesOf(sandbox.base)).toHaveLength(0);
  });

  it('validates in order: From before Body, Body length', async () => {
    const noFrom = await client.messages.create({ to: '+15551234567', body: 'hi' } as never).catch((e: unknown) => e);
    expect(noFrom).toMatchObject({ status: 400, code: 21603 });
    const noBody = await client.messages.create({ to: '+15551234567', from }).catch((e: unknown) => e);
    expect(noBody).toMatchObject({ status: 400, code: 21602 });
    const tooLong = await client.messages
      .create({ to: '+15551234567', from, body: 'x'.repeat(1601) })
      .catch((e: unknown) => e);
    expect(tooLong).toMatchObject({ status: 400, code: 21617 });
  });

  it('answers a wrong auth token with 401 / 20003', async () => {
    const wrong = createTwilioClient({ accountSid, authToken: 'not-the-token', baseUrl: `${sandbox.base}/twilio` });
    const error = await wrong.messages.create({ to: '+15551234567', from, body: 'hi' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(twilio.RestException);
    expect(error).toMatchObject({ status: 401, code: 20003 });
    expect(await messagesOf(sandbox.base)).toHaveLength(0);
  });

  it('answers an unknown sid with 404 / 20404', async () => {
    const error = await client
      .messages('SM' + 'f'.repeat(32))
      .fetch()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 404, code: 20404 });
  });

  describe('status callbacks', () => {
    let receiver: Awaited<ReturnType<typeof startCallbackServer>>;
    beforeEach(async () => {
      receiver = await startCallbackServer();
    });
    afterEach(() => receiver.close());

    it('posts signed sent and delivered callbacks', async () => {
      const callbackUrl = `${receiver.url}/twilio/status?notification=n1`;
      const message = await client.messages.create({
        to: '+15551234567',
        from,
        body: 'hi',
        statusCallback: callbackUrl,
      });

      await waitFor(() => receiver.received.length >= 2);
      expect(receiver.received.map((c) => c.params.MessageStatus)).toEqual(['sent', 'delivered']);
      for (const callback of receiver.received) {
        expect(callback.url).toBe('/twilio/status?notification=n1');
        expect(callback.params).toMatchObject({
          MessageSid: message.sid,
          SmsSid: message.sid,
          AccountSid: accountSid,
          To: '+15551234567',
          From: from,
          ApiVersion: '2010-04-01',
        });
        const signature = callback.headers['x-twilio-signature'] as string;
        expect(twilio.validateRequest(authToken, signature, callbackUrl, callback.params)).toBe(true);
        expect(twilio.validateRequest('another-token', signature, callbackUrl, callback.params)).toBe(false);
      }
      expect(receiver.received[1]!.params.RawDlrDoneDate).toMatch(/^\d{10}$/);
      // The receiver sees the post before the sandbox has read the answer, so wait for the log too.
      const logged = await waitFor(() => {
        const entries = sandbox.store.listCallbacks(message.sid);
        return entries.length === 2 && entries;
      });
      expect(logged.map((c) => c.responseStatus)).toEqual([204, 204]);
    });

    it('reports the error code on an undelivered callback', async () => {
      await client.messages.create({ to: '+15005550010', from, body: 'hi', statusCallback: `${receiver.url}/cb` });
      await waitFor(() => receiver.received.length >= 2);
      expect(receiver.received[1]!.params).toMatchObject({ MessageStatus: 'undelivered', ErrorCode: '30003' });
    });

    it('records an unreachable callback URL without crashing', async () => {
      const closed = await startCallbackServer();
      await closed.close();
      const message = await client.messages.create({
        to: '+15551234567',
        from,
        body: 'hi',
        statusCallback: `${closed.url}/gone`,
      });
      const failures = await waitFor(() => {
        const entries = sandbox.store.listCallbacks(message.sid);
        return entries.length === 2 && entries;
      });
      expect(failures.every((c) => c.responseStatus === null && typeof c.error === 'string')).toBe(true);
      expect((await client.messages(message.sid).fetch()).status).toBe('delivered');
    });
  });
});
