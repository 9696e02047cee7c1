import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { generateKeyPairSync, verify } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { googleAccessTokenProvider, FCM_SCOPE } from '../../activities/providers/fcm-client';
import { createFcmPushProvider, type FcmSettings } from '../../activities/providers/fcm-push';
import type { PushRequest } from '../../activities/ports';
import { registerBodyParsers } from '../../apps/sandbox/body-parsers';
import type { SandboxContext } from '../../apps/sandbox/context';
import { controlRoutes } from '../../apps/sandbox/control.routes';
import { sandboxCredentials } from '../../apps/sandbox/credentials';
import { fcmRoutes } from '../../apps/sandbox/fcm.routes';
import { FaultQueue } from '../../apps/sandbox/faults';
import { Scheduler } from '../../apps/sandbox/scheduler';
import { SandboxStore } from '../../apps/sandbox/store';
import { addFault, messagesOf, requestsOf } from './helpers';

const PROJECT = 'herald-test';

/**
 * A sandbox with only the FCM and control routes, wired the way `createSandbox` wires its modules. Once sandbox.ts
 * registers `fcmRoutes`, `startSandbox()` from ./helpers can replace this.
 */
async function startFcmSandbox(): Promise<{ base: string; reset: () => void; close: () => Promise<void> }> {
  const ctx: SandboxContext = {
    config: {
      twilio: { ...sandboxCredentials.twilio },
      twilioDefaultFrom: sandboxCredentials.twilioFrom,
      sendgridApiKey: sandboxCredentials.sendgrid.apiKey,
      segmentWriteKey: sandboxCredentials.segment.writeKey,
      twilioTiming: { sentAfterMs: 50, deliveredAfterMs: 100 },
    },
    store: new SandboxStore(),
    faults: new FaultQueue(),
    callbacks: new Scheduler(),
    held: new Scheduler(),
    logger: pino({ enabled: false }),
    now: () => Date.now(),
  };
  const reset = () => {
    ctx.faults.clear();
    ctx.store.clear();
  };
  const app: FastifyInstance = Fastify({ logger: false, forceCloseConnections: true });
  registerBodyParsers(app);
  app.register(fcmRoutes(ctx), { prefix: '/fcm' });
  app.register(controlRoutes(ctx, reset), { prefix: '/sandbox' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    reset,
    close: async () => {
      ctx.held.cancelAll();
      await app.close();
    },
  };
}

/** A throwaway HTTP server standing in for an FCM that answers something the sandbox does not. */
async function startStub(
  handle: (req: IncomingMessage, body: string, res: ServerResponse) => void,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createHttpServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => handle(req, body, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** A port nothing listens on: bind one, then let it go. */
async function closedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  return port;
}

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

function rpcError(res: ServerResponse, status: number, rpcStatus: string, fcmErrorCode?: string, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(
    JSON.stringify({
      error: {
        code: status,
        message: rpcStatus,
        status: rpcStatus,
        ...(fcmErrorCode
          ? { details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: fcmErrorCode }] }
          : {}),
      },
    }),
  );
}

const push = (tokens: string[], overrides: Partial<PushRequest> = {}): PushRequest => ({
  messageId: '1-abc',
  tokens,
  title: 'Your order shipped',
  body: 'It arrives on Tuesday',
  data: { order: '42' },
  ...overrides,
});

describe('FCM push provider against the sandbox FCM emulation', () => {
  let sandbox: Awaited<ReturnType<typeof startFcmSandbox>>;
  const provider = (settings: Partial<FcmSettings> = {}) =>
    createFcmPushProvider({
      projectId: PROJECT,
      baseUrl: `${sandbox.base}/fcm`,
      getAccessToken: async () => 'sandbox-token',
      timeoutMs: 2000,
      ...settings,
    });
  const rawSend = (body: unknown, headers: Record<string, string> = { authorization: 'Bearer sandbox-token' }) =>
    fetch(`${sandbox.base}/fcm/v1/projects/${PROJECT}/messages:send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    sandbox = await startFcmSandbox();
  });
  afterEach(() => sandbox.reset());
  afterAll(() => sandbox.close());

  it('sends a push and the sandbox records its title, body and data', async () => {
    const acceptance = await provider().send(push(['device-token-1']));

    expect(acceptance).toEqual({
      providerMessageId: expect.stringMatching(new RegExp(`^projects/${PROJECT}/messages/0:\\d+%[0-9a-f]{16}$`)),
      referenceName: 'name',
      tracking: 'none',
    });
    const messages = await messagesOf(sandbox.base, '?provider=firebase-fcm');
    expect(messages).toEqual([
      expect.objectContaining({
        id: acceptance.providerMessageId,
        provider: 'firebase-fcm',
        channel: 'push',
        to: 'device-token-1',
        from: PROJECT,
        subject: 'Your order shipped',
        body: 'It arrives on Tuesday',
        status: 'accepted',
        params: {
          token: 'device-token-1',
          notification: { title: 'Your order shipped', body: 'It arrives on Tuesday' },
          data: { order: '42', herald_message_id: '1-abc' },
        },
      }),
    ]);
    const [request] = await requestsOf(sandbox.base, 'firebase-fcm');
    expect(request).toMatchObject({
      method: 'POST',
      path: `/fcm/v1/projects/${PROJECT}/messages:send`,
      status: 200,
      headers: expect.objectContaining({ authorization: 'Bearer [redacted]' }),
    });
  });

  it('deep-merges override.message into the message it builds', async () => {
    await provider().send(
      push(['device-token-1'], {
        override: { message: { data: { campaign: 'spring' }, android: { priority: 'HIGH', ttl: '60s' } } },
      }),
    );
    const [message] = await messagesOf(sandbox.base, '?provider=firebase-fcm');
    expect(message?.params).toEqual({
      token: 'device-token-1',
      notification: { title: 'Your order shipped', body: 'It arrives on Tuesday' },
      data: { order: '42', herald_message_id: '1-abc', campaign: 'spring' },
      android: { priority: 'HIGH', ttl: '60s' },
    });
  });

  it('fails an unregistered token as ProviderRejected, non-retryable, naming the FCM code but not the token', async () => {
    const failure = await failureOf(provider().send(push(['unregistered-phone-of-ada'])));

    expect(failure.type).toBe('ProviderRejected');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('UNREGISTERED');
    expect(failure.message).toContain('404');
    expect(failure.message).not.toContain('unregistered-phone-of-ada');
    expect(JSON.stringify(failure.details)).not.toContain('unregistered-phone-of-ada');
    expect(failure.details?.[0]).toMatchObject({
      provider: 'firebase-fcm',
      httpStatus: 404,
      status: 'NOT_FOUND',
      fcmErrorCode: 'UNREGISTERED',
    });
    expect(await messagesOf(sandbox.base, '?provider=firebase-fcm')).toEqual([]);
  });

  it.each([
    ['invalid-token', 400, 'INVALID_ARGUMENT'],
    ['mismatch-token', 403, 'SENDER_ID_MISMATCH'],
  ])('fails %s as ProviderRejected (%i %s)', async (token, httpStatus, code) => {
    const failure = await failureOf(provider().send(push([token])));
    expect(failure).toMatchObject({ type: 'ProviderRejected', nonRetryable: true });
    expect(failure.message).toContain(code);
    expect(failure.details?.[0]).toMatchObject({ httpStatus, fcmErrorCode: code });
  });

  it('succeeds when at least one of the tokens is accepted', async () => {
    const acceptance = await provider().send(push(['unregistered-old-phone', 'device-new-phone']));

    const messages = await messagesOf(sandbox.base, '?provider=firebase-fcm');
    expect(messages.map((m) => [m.id, m.to])).toEqual([[acceptance.providerMessageId, 'device-new-phone']]);
    expect((await requestsOf(sandbox.base, 'firebase-fcm')).map((r) => r.status).sort()).toEqual([200, 404]);
  });

  it('summarises every token when all of them fail', async () => {
    const failure = await failureOf(provider().send(push(['unregistered-a', 'invalid-b'])));
    expect(failure.type).toBe('ProviderRejected');
    expect(failure.message).toContain('all 2 device tokens failed: UNREGISTERED x1, INVALID_ARGUMENT x1');
  });

  it('answers a request without a bearer token with 401 UNAUTHENTICATED in Google RPC shape', async () => {
    const response = await rawSend({ message: { token: 'device-1' } }, {});
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await response.json()).toEqual({
      error: { code: 401, message: expect.stringContaining('authentication credential'), status: 'UNAUTHENTICATED' },
    });
    expect(await messagesOf(sandbox.base)).toEqual([]);
  });

  it('fails as ProviderMisconfigured when there is no access token to send', async () => {
    const failure = await failureOf(provider({ getAccessToken: async () => '' }).send(push(['device-1'])));
    expect(failure).toMatchObject({ type: 'ProviderMisconfigured', nonRetryable: true });
    expect(await requestsOf(sandbox.base, 'firebase-fcm')).toEqual([]);
  });

  it('treats a refused service-account key as ProviderMisconfigured and an unreachable token endpoint as transient', async () => {
    const refused = Object.assign(new Error('invalid_grant: Invalid JWT Signature.'), { status: 400 });
    const misconfigured = await failureOf(
      provider({ getAccessToken: () => Promise.reject(refused) }).send(push(['device-1'])),
    );
    expect(misconfigured.type).toBe('ProviderMisconfigured');
    expect(misconfigured.message).toContain('invalid_grant');

    const unreachable = await failureOf(
      provider({ getAccessToken: () => Promise.reject(new Error('getaddrinfo ENOTFOUND')) }).send(push(['device-1'])),
    );
    expect(unreachable).toMatchObject({ type: 'ProviderUnavailable', nonRetryable: false });
  });

  it('rejects non-string data values with 400 INVALID_ARGUMENT', async () => {
    const response = await rawSend({ message: { token: 'device-1', data: { order: '42', count: 3 } } });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: {
        code: 400,
        status: 'INVALID_ARGUMENT',
        message: "Invalid value at 'message.data[1].value' (TYPE_STRING), 3",
        details: [
          { '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'INVALID_ARGUMENT' },
          {
            '@type': 'type.googleapis.com/google.rpc.BadRequest',
            fieldViolations: [
              {
                field: 'message.data[1].value',
                description: "Invalid value at 'message.data[1].value' (TYPE_STRING), 3",
              },
            ],
          },
        ],
      },
    });

    // The same mistake made through an override reaches the provider as a permanent rejection.
    const failure = await failureOf(
      provider().send(push(['device-1'], { override: { message: { data: { count: 3 } } } })),
    );
    expect(failure).toMatchObject({ type: 'ProviderRejected', nonRetryable: true });
    expect(failure.message).toContain('INVALID_ARGUMENT');
    expect(await messagesOf(sandbox.base)).toEqual([]);
  });

  it.each([
    ['no target', { notification: { title: 't' } }],
    ['token and topic', { token: 'device-1', topic: 'news' }],
    ['an empty token', { token: '' }],
    ['an unknown field', { token: 'device-1', priority: 'high' }],
  ])('rejects a message with %s with 400', async (_case, message) => {
    const response = await rawSend({ message });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT' } });
  });

  it('accepts a topic message and records it under /topics/', async () => {
    const response = await rawSend({ message: { topic: 'news', notification: { title: 'Hi', body: 'there' } } });
    expect(response.status).toBe(200);
    const { name } = (await response.json()) as { name: string };
    expect(await messagesOf(sandbox.base, `?to=${encodeURIComponent('/topics/news')}`)).toEqual([
      expect.objectContaining({ id: name, channel: 'push', subject: 'Hi', body: 'there' }),
    ]);
  });

  it('answers validate_only without recording a message', async () => {
    const response = await rawSend({ message: { token: 'device-1' }, validate_only: true });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ name: `projects/${PROJECT}/messages/fake_message_id` });
    expect(await messagesOf(sandbox.base)).toEqual([]);
  });

  it('matches messages:send literally (the colon is not a route parameter)', async () => {
    const response = await fetch(`${sandbox.base}/fcm/v1/projects/${PROJECT}/messagesXsend`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer t' },
      body: JSON.stringify({ message: { token: 'device-1' } }),
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } });
    expect(await messagesOf(sandbox.base)).toEqual([]);
  });

  it('applies injected faults: 429 with Retry-After becomes a retryable ProviderUnavailable', async () => {
    await addFault(sandbox.base, { provider: 'firebase-fcm', count: 1, status: 429, retryAfterSeconds: 3 });
    const failure = await failureOf(provider().send(push(['device-1'])));
    expect(failure).toMatchObject({ type: 'ProviderUnavailable', nonRetryable: false });
    expect(failure.details?.[0]).toMatchObject({
      httpStatus: 429,
      fcmErrorCode: 'QUOTA_EXCEEDED',
      retryAfter: '3',
      retryAfterSeconds: 3,
    });

    await addFault(sandbox.base, { provider: 'firebase-fcm', count: 1, status: 401 });
    expect((await failureOf(provider().send(push(['device-1'])))).type).toBe('ProviderMisconfigured');

    // The faults are used up: the next send goes through.
    await provider().send(push(['device-1']));
    expect((await requestsOf(sandbox.base, 'firebase-fcm')).map((r) => [r.status, r.fault])).toEqual([
      [429, 'status'],
      [401, 'status'],
      [200, undefined],
    ]);
  });
});

describe('FCM push provider when FCM is failing or unreachable', () => {
  const stubs: Array<{ close: () => Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(stubs.splice(0).map((s) => s.close()));
  });
  const providerAt = (baseUrl: string, timeoutMs = 2000) =>
    createFcmPushProvider({ projectId: PROJECT, baseUrl, getAccessToken: async () => 'sandbox-token', timeoutMs });

  it('turns a 503 UNAVAILABLE into a retryable ProviderUnavailable with Retry-After in the details', async () => {
    const stub = await startStub((_req, _body, res) =>
      rpcError(res, 503, 'UNAVAILABLE', 'UNAVAILABLE', { 'retry-after': '7' }),
    );
    stubs.push(stub);
    const failure = await failureOf(providerAt(stub.url).send(push(['device-1'])));
    expect(failure).toMatchObject({ type: 'ProviderUnavailable', nonRetryable: false });
    expect(failure.message).toContain('UNAVAILABLE');
    expect(failure.details?.[0]).toMatchObject({ httpStatus: 503, retryAfter: '7', retryAfterSeconds: 7 });
  });

  it('treats a non-JSON 502 from a proxy as transient', async () => {
    const stub = await startStub((_req, _body, res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>'));
    stubs.push(stub);
    const failure = await failureOf(providerAt(stub.url).send(push(['device-1'])));
    expect(failure).toMatchObject({ type: 'ProviderUnavailable', nonRetryable: false });
    expect(failure.message).toContain('HTTP_502');
  });

  it('lets a transient failure outrank a permanent one, so the whole send is retried', async () => {
    const stub = await startStub((_req, body, res) =>
      (JSON.parse(body) as { message: { token: string } }).message.token.startsWith('gone')
        ? rpcError(res, 404, 'NOT_FOUND', 'UNREGISTERED')
        : rpcError(res, 500, 'INTERNAL', 'INTERNAL'),
    );
    stubs.push(stub);
    const failure = await failureOf(providerAt(stub.url).send(push(['gone-1', 'device-2', 'gone-3'])));
    expect(failure).toMatchObject({ type: 'ProviderUnavailable', nonRetryable: false });
    expect(failure.message).toContain('all 3 device tokens failed: UNREGISTERED x2, INTERNAL x1');
  });

  it('treats 401 and THIRD_PARTY_AUTH_ERROR as ProviderMisconfigured', async () => {
    const stub = await startStub((_req, _body, res) => rpcError(res, 401, 'UNAUTHENTICATED', 'THIRD_PARTY_AUTH_ERROR'));
    stubs.push(stub);
    const failure = await failureOf(providerAt(stub.url).send(push(['device-1'])));
    expect(failure).toMatchObject({ type: 'ProviderMisconfigured', nonRetryable: true });
    expect(failure.message).toContain('THIRD_PARTY_AUTH_ERROR');
  });

  it('turns a refused connection into a retryable ProviderUnavailable', async () => {
    const failure = await failureOf(providerAt(`http://127.0.0.1:${await closedPort()}`).send(push(['device-1'])));
    expect(failure).toMatchObject({ type: 'ProviderUnavailable', nonRetryable: false });
    expect(failure.details?.[0]).toMatchObject({ fcmErrorCode: 'NETWORK' });
  });

  it('gives up after timeoutMs and reports a retryable ProviderUnavailable', async () => {
    const stub = await startStub(() => {}); // never answers
    stubs.push(stub);
    const started = Date.now();
    const failure = await failureOf(providerAt(stub.url, 200).send(push(['device-1'])));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(failure).toMatchObject({ type: 'ProviderUnavailable', nonRetryable: false });
    expect(failure.details?.[0]).toMatchObject({ fcmErrorCode: 'TIMEOUT' });
  });

  it('never sends the access token anywhere but the Authorization header, nor reports it', async () => {
    const seen: string[] = [];
    const authorizations: Array<string | undefined> = [];
    const stub = await startStub((req, body, res) => {
      seen.push(`${req.url} ${body}`);
      authorizations.push(req.headers.authorization);
      rpcError(res, 500, 'INTERNAL', 'INTERNAL');
    });
    stubs.push(stub);
    const failure = await failureOf(
      createFcmPushProvider({
        projectId: PROJECT,
        baseUrl: `${stub.url}/`,
        getAccessToken: async () => 'secret-access-token',
      }).send(push(['device-1'])),
    );
    expect(authorizations).toEqual(['Bearer secret-access-token']);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(new RegExp(`^/v1/projects/${PROJECT}/messages:send `));
    expect(seen[0]).not.toContain('secret-access-token');
    expect(`${failure.message} ${JSON.stringify(failure.details)}`).not.toContain('secret-access-token');
  });

  it('fails with MissingContact when there is no token to send to', async () => {
    const failure = await failureOf(providerAt('http://127.0.0.1:9').send(push([])));
    expect(failure).toMatchObject({ type: 'MissingContact', nonRetryable: true });
  });
});

describe('googleAccessTokenProvider (no network: the token endpoint is a stand-in fetch)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const serviceAccount = {
    type: 'service_account',
    project_id: PROJECT,
    private_key_id: 'key-1',
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    client_email: `herald@${PROJECT}.iam.gserviceaccount.com`,
  };

  it('signs a JWT assertion for the firebase.messaging scope and caches the access token', async () => {
    const assertions: string[] = [];
    const fetchImplementation = async (input: unknown, init?: { body?: unknown }) => {
      expect(String(input)).toBe('https://oauth2.googleapis.com/token');
      const form = new URLSearchParams(String(init?.body));
      expect(form.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
      assertions.push(form.get('assertion') ?? '');
      return new Response(JSON.stringify({ access_token: 'ya29.test', expires_in: 3600, token_type: 'Bearer' }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    };
    const getToken = googleAccessTokenProvider(JSON.stringify(serviceAccount), {
      transporterOptions: { fetchImplementation: fetchImplementation as never },
    });

    expect(await getToken()).toBe('ya29.test');
    expect(await getToken()).toBe('ya29.test');
    expect(assertions).toHaveLength(1);

    const [header, claims, signature] = assertions[0]!.split('.') as [string, string, string];
    const decode = (part: string) =>
      JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(decode(header)).toEqual({ alg: 'RS256' });
    expect(decode(claims)).toMatchObject({
      iss: serviceAccount.client_email,
      scope: FCM_SCOPE,
      aud: 'https://oauth2.googleapis.com/token',
    });
    expect(
      verify('RSA-SHA256', Buffer.from(`${header}.${claims}`), publicKey, Buffer.from(signature, 'base64url')),
    ).toBe(true);
  });

  it('refuses anything but a service-account key, without echoing the text', () => {
    expect(() => googleAccessTokenProvider('{"private_key": "-----BEGIN')).toThrow('not valid JSON');
    expect(() => googleAccessTokenProvider('{"private_key": "-----BEGIN')).not.toThrow('BEGIN');
    expect(() => googleAccessTokenProvider(JSON.stringify({ ...serviceAccount, type: 'external_account' }))).toThrow(
      'service_account',
    );
    expect(() => googleAccessTokenProvider(JSON.stringify({ type: 'service_account' }))).toThrow('client_email');
  });
});
