import { CourierClient as CourierClientV6 } from 'courier-v6';
import { CourierClient as courierClientV5 } from 'courier-v5';
import { idempotentMessageId } from '../../apps/gateway/idempotency/context';
import { idempotencyKeyHash } from '../../db/idempotency';
import { eventually } from '../helpers/ports';
import { sendThroughGateway, describeEachStack } from '../helpers/stack';

/** `Idempotency-Key` on POSTs (api-contract §1.5) on the real stack, over plain HTTP and the v6 and v5 SDKs. */
describeEachStack('Idempotency-Key', (stack) => {
  const sms = (phone: string, body = 'hello') => ({
    message: { to: { phone_number: phone }, content: { body }, routing: { method: 'single', channels: ['sms'] } },
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}, apiKey = stack().apiKey) =>
    fetch(`${stack().gatewayUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  async function delivered(id: string) {
    return eventually(
      async () => {
        const response = await fetch(`${stack().gatewayUrl}/messages/${id}`, {
          headers: { authorization: `Bearer ${stack().apiKey}` },
        });
        const body: any = await response.json();
        return body.status === 'DELIVERED' ? body : undefined;
      },
      30_000,
      `message ${id} to be DELIVERED`,
    );
  }

  /** Runs of `sendMessage` under this workflow id, once visibility has caught up with at least one. */
  async function runs(id: string): Promise<number> {
    return eventually(async () => {
      const { count } = await stack().temporal.workflow.count(`WorkflowType = 'sendMessage' AND WorkflowId = '${id}'`);
      return count > 0 ? count : undefined;
    });
  }

  async function smsTo(phone: string) {
    return stack().providers.messages({ to: phone });
  }

  it('answers the same key twice with the same requestId, one workflow and one SMS', async () => {
    const first = await post('/send', sms('+15552220001'), { 'Idempotency-Key': 'same-twice' });
    expect(first.status).toBe(202);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const { requestId } = (await first.json()) as { requestId: string };
    expect(requestId).toMatch(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/);

    const second = await post('/send', sms('+15552220001'), { 'idempotency-key': 'same-twice' });
    expect(second.status).toBe(202);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.headers.get('content-type')).toBe('application/json');
    expect(await second.json()).toEqual({ requestId });

    await delivered(requestId);
    expect(await runs(requestId)).toBe(1);
    expect(await smsTo('+15552220001')).toHaveLength(1);
  });

  it('derives the message id from the key, so a duplicate that gets past the store starts no second run', async () => {
    const keyHash = idempotencyKeyHash(stack().apiKey, 'past-the-store');
    const first = await post('/send', sms('+15552220011'), { 'Idempotency-Key': 'past-the-store' });
    const { requestId } = (await first.json()) as { requestId: string };
    const row = await stack()
      .deps.database.db.selectFrom('idempotency_keys')
      .selectAll()
      .where('key_hash', '=', keyHash)
      .executeTakeFirstOrThrow();
    expect(requestId).toBe(idempotentMessageId({ keyHash, created: Number(row.created), expires: 0, lockedUntil: 0 }));
    await delivered(requestId);

    // As if the first request had crashed before storing its answer: the claim is abandoned, the next request
    // takes it over and sends again. Temporal refuses the second start; the answer is the same message.
    await stack()
      .deps.database.db.updateTable('idempotency_keys')
      .set({ status: 'in_flight', response_status: null, response_body: null, locked_until: Date.now() - 1 })
      .where('key_hash', '=', keyHash)
      .execute();
    const again = await post('/send', sms('+15552220011'), { 'Idempotency-Key': 'past-the-store' });
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBeNull();
    expect(await again.json()).toEqual({ requestId });
    expect(await runs(requestId)).toBe(1);
    expect(await smsTo('+15552220011')).toHaveLength(1);
  });

  it('lets exactly one of 10 concurrent requests with one key through; the others replay it or ask for a retry', async () => {
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => post('/send', sms('+15552220002'), { 'Idempotency-Key': 'concurrent' })),
    );
    const answers = await Promise.all(
      responses.map(async (r) => ({
        status: r.status,
        retry: r.headers.get('x-should-retry'),
        body: (await r.json()) as any,
      })),
    );
    const accepted = answers.filter((a) => a.status === 202);
    const busy = answers.filter((a) => a.status === 409);
    expect(accepted.length + busy.length).toBe(10);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    const requestId = accepted[0].body.requestId as string;
    for (const answer of accepted) expect(answer.body).toEqual({ requestId });
    for (const answer of busy) {
      expect(answer.retry).toBe('true');
      expect(answer.body).toEqual({ message: expect.any(String), type: 'invalid_request_error' });
    }

    // A retry after the first answer replays it.
    const retried = await post('/send', sms('+15552220002'), { 'Idempotency-Key': 'concurrent' });
    expect(retried.status).toBe(202);
    expect(await retried.json()).toEqual({ requestId });

    await delivered(requestId);
    expect(await runs(requestId)).toBe(1);
    expect(await smsTo('+15552220002')).toHaveLength(1);
  });

  it('refuses the key for a different body (422, not to be retried)', async () => {
    const first = await post('/send', sms('+15552220003', 'one'), { 'Idempotency-Key': 'different-body' });
    expect(first.status).toBe(202);
    const second = await post('/send', sms('+15552220003', 'two'), { 'Idempotency-Key': 'different-body' });
    expect(second.status).toBe(422);
    expect(second.headers.get('x-should-retry')).toBe('false');
    expect(await second.json()).toEqual({
      message: expect.stringContaining('was used with a different request'),
      type: 'invalid_request_error',
    });
  });

  it('keeps the keys of different API keys apart', async () => {
    const one = await post('/send', sms('+15552220004'), { 'Idempotency-Key': 'shared-string' });
    const two = await post('/send', sms('+15552220004'), { 'Idempotency-Key': 'shared-string' }, 'test-key-2');
    expect(one.status).toBe(202);
    expect(two.status).toBe(202);
    expect(two.headers.get('idempotent-replayed')).toBeNull();
    expect(((await one.json()) as any).requestId).not.toBe(((await two.json()) as any).requestId);
  });

  it('stores no 400: the corrected request may reuse the key', async () => {
    const invalid = await post('/send', { message: { to: {}, content: 42 } }, { 'Idempotency-Key': 'fix-me' });
    expect(invalid.status).toBe(400);
    const fixed = await post('/send', sms('+15552220005'), { 'Idempotency-Key': 'fix-me' });
    expect(fixed.status).toBe(202);
    expect(fixed.headers.get('idempotent-replayed')).toBeNull();
  });

  it('refuses an unreadable x-idempotency-expiration, and accepts a far one', async () => {
    const bad = await post('/send', sms('+15552220006'), {
      'Idempotency-Key': 'expiry',
      'x-idempotency-expiration': 'next week',
    });
    expect(bad.status).toBe(400);
    const far = new Date(Date.now() + 7 * 24 * 3600 * 1000).toISOString();
    const good = await post('/send', sms('+15552220006'), {
      'Idempotency-Key': 'expiry',
      'x-idempotency-expiration': far,
    });
    expect(good.status).toBe(202);
    const row = await stack()
      .deps.database.db.selectFrom('idempotency_keys')
      .select(['created', 'expires'])
      .where('key_hash', '=', idempotencyKeyHash(stack().apiKey, 'expiry'))
      .executeTakeFirstOrThrow();
    expect(Number(row.expires)).toBeGreaterThan(Number(row.created) + 6 * 24 * 3600 * 1000);
  });

  it('treats a lapsed key as new: a new message', async () => {
    const first = await post('/send', sms('+15552220007'), { 'Idempotency-Key': 'lapses' });
    const { requestId } = (await first.json()) as { requestId: string };
    await delivered(requestId);
    // Let the key lapse (the gateway and the test share the database file).
    await stack()
      .deps.database.db.updateTable('idempotency_keys')
      .set({ expires: Date.now() - 1 })
      .where('key_hash', '=', idempotencyKeyHash(stack().apiKey, 'lapses'))
      .execute();
    // The id carries the first request's second: make sure the new one starts in a later second.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const again = await post('/send', sms('+15552220007'), { 'Idempotency-Key': 'lapses' });
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBeNull();
    const { requestId: second } = (await again.json()) as { requestId: string };
    expect(second).not.toBe(requestId);
    await delivered(second);
    expect(await smsTo('+15552220007')).toHaveLength(2);
  });

  it('works with the v6 SDK (idempotencyKey request option)', async () => {
    const v6 = new CourierClientV6({ authorizationToken: stack().apiKey, baseUrl: stack().gatewayUrl });
    const request = sms('+15552220008') as Parameters<typeof v6.send>[0];
    const { requestId } = await v6.send(request, { idempotencyKey: 'v6-key' });
    const again = await v6.send(request, { idempotencyKey: 'v6-key' });
    expect(again.requestId).toBe(requestId);
    await delivered(requestId);
    expect(await smsTo('+15552220008')).toHaveLength(1);
  });

  it('works with the classic v5 client (idempotencyKey config)', async () => {
    const v5 = courierClientV5({ authorizationToken: stack().apiKey, baseUrl: stack().gatewayUrl });
    const request = sms('+15552220009') as Parameters<typeof v5.send>[0];
    const first = (await v5.send(request, { idempotencyKey: 'v5-key' })) as { requestId: string };
    const again = (await v5.send(request, { idempotencyKey: 'v5-key' })) as { requestId: string };
    expect(again.requestId).toBe(first.requestId);
    await delivered(first.requestId);
    expect(await smsTo('+15552220009')).toHaveLength(1);
  });

  it('replays POST /messages/{id}/cancel instead of answering 409 the second time', async () => {
    const id = await sendThroughGateway(stack(), {
      to: { phone_number: '+15552220010' },
      content: { body: 'later' },
      routing: { method: 'single', channels: ['sms'] },
      delay: { duration: 3_600_000 },
    });
    await eventually(async () => {
      const response = await fetch(`${stack().gatewayUrl}/messages/${id}`, {
        headers: { authorization: `Bearer ${stack().apiKey}` },
      });
      return ((await response.json()) as any).status === 'DELAYED' ? true : undefined;
    });
    const first = await post(`/messages/${id}/cancel`, undefined, { 'Idempotency-Key': 'cancel-once' });
    expect(first.status).toBe(200);
    const canceled = await first.json();
    expect(canceled).toMatchObject({ id, status: 'CANCELED' });

    const second = await post(`/messages/${id}/cancel`, undefined, { 'Idempotency-Key': 'cancel-once' });
    expect(second.status).toBe(200);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await second.json()).toEqual(canceled);

    // Without the key it is a new request: too late now.
    const unkeyed = await post(`/messages/${id}/cancel`, undefined);
    expect(unkeyed.status).toBe(409);
  });

  it('leaves GETs alone', async () => {
    const response = await fetch(`${stack().gatewayUrl}/messages`, {
      headers: { authorization: `Bearer ${stack().apiKey}`, 'Idempotency-Key': 'a-get' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('idempotent-replayed')).toBeNull();
  });
});
