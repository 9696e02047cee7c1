import Courier from '@trycourier/courier';
import { CourierClient as CourierClientV6 } from 'courier-v6';
import { CourierClient as courierClientV5 } from 'courier-v5';
import { eventually } from '../helpers/ports';
import { startStack, type Stack } from '../helpers/stack';

/**
 * The message log API (GET /messages, /messages/{id}/history, /messages/{id}/output) on the real stack, through
 * the three official SDK generations, each with its own query encoding (api-contract §1.6).
 */
describe('the messages API', () => {
  let stack: Stack;
  let v7: Courier;
  let v6: CourierClientV6;
  let v5: ReturnType<typeof courierClientV5>;
  /** Messages sent once for the whole file, oldest first. */
  const sent = { sms: '', email: '', otherSms: '', unroutable: '' };

  const api = (path: string) =>
    fetch(`${stack.gatewayUrl}${path}`, { headers: { authorization: `Bearer ${stack.apiKey}` } });

  async function send(message: object): Promise<string> {
    const response = await fetch(`${stack.gatewayUrl}/send`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message }),
    });
    expect(response.status).toBe(202);
    return ((await response.json()) as { requestId: string }).requestId;
  }

  const reaches = (id: string, status: string) =>
    eventually(
      async () => {
        const message: any = await (await api(`/messages/${id}`)).json();
        return message.status === status ? message : undefined;
      },
      30_000,
      `${id} to reach ${status}`,
    );

  const shipped = (phone: string, user: string, extra: object = {}) => ({
    to: { user_id: user, phone_number: phone },
    content: { title: 'Shipped', body: 'Your order {{order_id}} has shipped!' },
    data: { order_id: 'ORD-1' },
    routing: { method: 'single', channels: ['sms'] },
    ...extra,
  });

  beforeAll(async () => {
    stack = await startStack();
    v7 = new Courier({ apiKey: stack.apiKey, baseURL: stack.gatewayUrl, maxRetries: 0 });
    v6 = new CourierClientV6({ authorizationToken: stack.apiKey, baseUrl: stack.gatewayUrl });
    v5 = courierClientV5({ authorizationToken: stack.apiKey, baseUrl: stack.gatewayUrl });

    sent.sms = await send(
      shipped('+15550001001', 'ada+log@example.com', {
        metadata: { event: 'ORDER_SHIPPED', tags: ['orders', 'urgent'], trace_id: 'trace-log-1' },
      }),
    );
    sent.email = await send({
      to: { user_id: 'ada+log@example.com', email: 'ada@example.com' },
      content: { title: 'Welcome, {{name}}', body: 'Hello {{name}}, thanks for joining.' },
      data: { name: 'Ada' },
      routing: { method: 'single', channels: ['email'] },
      metadata: { tags: ['newsletter'] },
    });
    sent.otherSms = await send(shipped('+15550001002', 'log-bob', { metadata: { event: 'ORDER_SHIPPED' } }));
    sent.unroutable = await send({
      to: { user_id: 'log-cat' },
      content: { body: 'nowhere to go' },
      routing: { method: 'single', channels: ['sms'] },
    });
    await Promise.all([
      reaches(sent.sms, 'DELIVERED'),
      reaches(sent.email, 'DELIVERED'),
      reaches(sent.otherSms, 'DELIVERED'),
      reaches(sent.unroutable, 'UNROUTABLE'),
    ]);
  }, 120_000);
  afterAll(() => stack?.stop());

  const idsOf = (response: { results: Array<{ id: string }> }) => response.results.map((m) => m.id);

  /** Newest first by (enqueued, id), as the API orders, computed from the records themselves. */
  async function newestFirst(ids: string[]): Promise<string[]> {
    const records = await Promise.all(ids.map(async (id) => (await (await api(`/messages/${id}`)).json()) as any));
    return records.sort((a, b) => b.enqueued - a.enqueued || (b.id < a.id ? -1 : b.id > a.id ? 1 : 0)).map((r) => r.id);
  }

  it('lists the same filtered messages through v7 (comma), v6 (repeated keys) and v5 (double-encoded)', async () => {
    const delivered7 = await v7.messages.list({ status: ['DELIVERED'], recipient: 'ada+log@example.com' });
    const delivered6 = await v6.messages.list({ status: ['DELIVERED'], recipient: 'ada+log@example.com' });
    const delivered5 = await v5.getMessages({ status: ['DELIVERED'], recipientId: 'ada+log@example.com' });
    expect(idsOf(delivered7)).toEqual(await newestFirst([sent.sms, sent.email]));
    expect(delivered6).toEqual(delivered7);
    expect(delivered5).toEqual(delivered7);
    expect(delivered7.paging).toEqual({ more: false });
    // List items are the record without providers.
    const { providers, ...summary } = (await v7.messages.retrieve(sent.sms)) as any;
    expect(providers).toHaveLength(1);
    expect(delivered7.results.find((m) => m.id === sent.sms)).toEqual(summary);
    expect(summary).toMatchObject({
      status: 'DELIVERED',
      recipient: 'ada+log@example.com',
      event: 'ORDER_SHIPPED',
      tags: ['orders', 'urgent'],
    });

    // Several statuses at once, in each encoding.
    const statuses = ['UNROUTABLE', 'DELIVERED'];
    const several7 = await v7.messages.list({ status: statuses, recipient: 'log-cat' });
    expect(idsOf(several7)).toEqual([sent.unroutable]);
    expect(await v6.messages.list({ status: statuses, recipient: 'log-cat' })).toEqual(several7);
    expect(await v5.getMessages({ status: statuses, recipientId: 'log-cat' })).toEqual(several7);

    // Tags, any-match: `tags` as a comma list (v5 sends an array joined with commas, double-encoded).
    const tagged7 = await v7.messages.list({ tags: 'newsletter,urgent' });
    expect(idsOf(tagged7)).toEqual(await newestFirst([sent.sms, sent.email]));
    expect(await v6.messages.list({ tags: 'newsletter,urgent' })).toEqual(tagged7);
    expect(await v5.getMessages({ tags: ['newsletter', 'urgent'] })).toEqual(tagged7);
    // `tag`, multi-valued (v5 has no such parameter).
    const tag7 = await v7.messages.list({ tag: ['urgent', 'no-such-tag'] });
    expect(idsOf(tag7)).toEqual([sent.sms]);
    expect(await v6.messages.list({ tag: ['urgent', 'no-such-tag'] })).toEqual(tag7);

    // Trace id and event.
    const traced7 = await v7.messages.list({ traceId: 'trace-log-1' });
    expect(idsOf(traced7)).toEqual([sent.sms]);
    expect(await v6.messages.list({ traceId: 'trace-log-1' })).toEqual(traced7);
    expect(await v5.getMessages({ traceId: 'trace-log-1' })).toEqual(traced7);
    const event7 = await v7.messages.list({ event: 'ORDER_SHIPPED' });
    expect(idsOf(event7)).toEqual(await newestFirst([sent.sms, sent.otherSms]));
    expect(await v6.messages.list({ event: 'ORDER_SHIPPED' })).toEqual(event7);
    expect(await v5.getMessages({ eventId: 'ORDER_SHIPPED' })).toEqual(event7);

    // Provider (v6/v7 only).
    const twilio7 = await v7.messages.list({ provider: ['twilio'], status: ['DELIVERED'] });
    expect(idsOf(twilio7)).toEqual(await newestFirst([sent.sms, sent.otherSms]));
    expect(await v6.messages.list({ provider: ['twilio'], status: ['DELIVERED'] })).toEqual(twilio7);
    expect(idsOf(await v7.messages.list({ provider: ['sendgrid', 'smtp'] }))).toEqual([sent.email]);

    // Message id, enqueued_after, archived; list and tenant match nothing (no such sends are recorded yet).
    expect(idsOf(await v7.messages.list({ messageId: sent.email }))).toEqual([sent.email]);
    expect(idsOf(await v5.getMessages({ messageId: sent.email }))).toEqual([sent.email]);
    const emailRecord = await v7.messages.retrieve(sent.email);
    const after = await v7.messages.list({
      enqueued_after: String(emailRecord.enqueued),
      recipient: 'ada+log@example.com',
    });
    expect(after.results).toEqual([]);
    expect(
      await v6.messages.list({ enqueued_after: String(emailRecord.enqueued - 1), recipient: 'ada+log@example.com' }),
    ).toEqual({
      paging: { more: false },
      results: [expect.objectContaining({ id: sent.email })],
    });
    expect(await v7.messages.list({ archived: true, status: ['DELIVERED'], recipient: 'ada+log@example.com' })).toEqual(
      delivered7,
    );
    expect((await v7.messages.list({ list: 'some-list' })).results).toEqual([]);
    expect((await v6.messages.list({ tenant_id: 'some-tenant' })).results).toEqual([]);

    // No filters at all: v5 sends `undefined` for each parameter, which must mean "unset".
    const all7 = await v7.messages.list();
    expect(idsOf(all7)).toEqual(await newestFirst(Object.values(sent)));
    expect(await v5.getMessages()).toEqual(all7);
    expect(await v6.messages.list()).toEqual(all7);
  });

  it('pages newest first with a cursor that every SDK hands back intact', async () => {
    const pager: string[] = [];
    for (let i = 0; i < 27; i++) {
      pager.push(
        await send({
          to: { user_id: 'log-pager' },
          content: { body: `n${i}` },
          routing: { method: 'single', channels: ['sms'] },
        }),
      );
    }
    const expected = await newestFirst(pager);

    const first7 = await v7.messages.list({ recipient: 'log-pager' });
    expect(first7.results).toHaveLength(25);
    expect(first7.paging.more).toBe(true);
    expect(Buffer.from(first7.paging.cursor as string, 'base64').toString()).toBe(
      `${first7.results[24].enqueued},${first7.results[24].id}`,
    );
    const second7 = await v7.messages.list({ recipient: 'log-pager', cursor: first7.paging.cursor });
    expect(second7.paging).toEqual({ more: false });
    expect([...idsOf(first7), ...idsOf(second7)]).toEqual(expected);

    const first6 = await v6.messages.list({ recipient: 'log-pager' });
    const second6 = await v6.messages.list({ recipient: 'log-pager', cursor: first6.paging.cursor ?? undefined });
    expect([...idsOf(first6), ...idsOf(second6)]).toEqual(expected);

    const first5 = await v5.getMessages({ recipientId: 'log-pager' });
    const second5 = await v5.getMessages({ recipientId: 'log-pager', cursor: first5.paging.cursor });
    expect([...idsOf(first5), ...idsOf(second5)]).toEqual(expected);
    expect(second5.paging.more).toBe(false);
  });

  it('shows the history of a delivered SMS in order, filtered by type on request, in every SDK', async () => {
    const history7 = await v7.messages.history(sent.sms);
    const types = history7.results.map((event) => event.type);
    expect(types.filter((type) => type !== 'RENDERED')).toEqual(['ENQUEUED', 'SENT', 'DELIVERED']);
    const ts = history7.results.map((event) => event.ts as number);
    expect([...ts].sort((a, b) => a - b)).toEqual(ts);

    const [sms] = (await v7.messages.retrieve(sent.sms)).providers as any[];
    expect(history7.results.find((event) => event.type === 'DELIVERED')).toEqual({
      ts: expect.any(Number),
      type: 'DELIVERED',
      channel: { id: 'sms' },
      integration: { id: 'twilio', provider: 'twilio' },
      reference: sms.reference,
    });
    expect(history7.results[0]).toEqual({
      ts: (await v7.messages.retrieve(sent.sms)).enqueued,
      type: 'ENQUEUED',
      event: 'ORDER_SHIPPED',
      recipient: 'ada+log@example.com',
    });
    expect(await v6.messages.getHistory(sent.sms)).toEqual(history7);
    expect(await v5.getMessageHistory(sent.sms)).toEqual(history7);

    const deliveredOnly = await v7.messages.history(sent.sms, { type: 'DELIVERED' });
    expect(deliveredOnly.results.map((event) => event.type)).toEqual(['DELIVERED']);
    expect(await v6.messages.getHistory(sent.sms, { type: 'DELIVERED' })).toEqual(deliveredOnly);

    const unroutable = await v7.messages.history(sent.unroutable);
    expect(unroutable.results.map((event) => [event.type, event.reason])).toEqual([
      ['ENQUEUED', undefined],
      ['UNROUTABLE', 'NO_CHANNELS'],
    ]);
  });

  // Needs the deliver activity to pass the rendered output to the message log (AttemptUpdate.output).
  it('shows RENDERED between ENQUEUED and SENT', async () => {
    const history = await v7.messages.history(sent.sms);
    expect(history.results.map((event) => event.type)).toEqual(['ENQUEUED', 'RENDERED', 'SENT', 'DELIVERED']);
    expect(history.results[1]).toEqual({
      ts: expect.any(Number),
      type: 'RENDERED',
      channel: { id: 'sms' },
      integration: { id: 'twilio', provider: 'twilio' },
      output: {
        title: 'Shipped',
        body: 'Your order ORD-1 has shipped!',
        subject: '',
        text: 'Your order ORD-1 has shipped!',
        html: '',
      },
    });
  });

  // Needs the deliver activity to pass the rendered output to the message log (AttemptUpdate.output).
  it('serves the rendered output of an SMS and an email, in every SDK', async () => {
    const sms = await v7.messages.content(sent.sms);
    expect(sms).toEqual({
      results: [
        {
          channel: 'sms',
          channel_id: 'sms',
          content: {
            html: '',
            title: 'Shipped',
            body: 'Your order ORD-1 has shipped!',
            subject: '',
            text: 'Your order ORD-1 has shipped!',
            blocks: [],
          },
        },
      ],
    });
    expect(await v6.messages.getContent(sent.sms)).toEqual(sms);
    expect(await v5.getMessageOutput(sent.sms)).toEqual(sms);

    const email = await v7.messages.content(sent.email);
    expect(email.results).toEqual([
      {
        channel: 'email',
        channel_id: 'email',
        content: {
          html: '<p>Hello Ada, thanks for joining.</p>',
          title: 'Welcome, Ada',
          body: 'Hello Ada, thanks for joining.',
          subject: 'Welcome, Ada',
          text: 'Hello Ada, thanks for joining.',
          blocks: [],
        },
      },
    ]);
    // A message that never rendered has no output, but is known.
    expect(await v7.messages.content(sent.unroutable)).toEqual({ results: [] });
  });

  it('answers 404 for unknown messages and 400 for a bad cursor or enqueued_after', async () => {
    const unknown = '1-00000000-000000000000000000000000';
    await expect(v7.messages.history(unknown)).rejects.toMatchObject({ status: 404 });
    await expect(v7.messages.content(unknown)).rejects.toMatchObject({ status: 404 });
    await expect(v6.messages.getHistory(unknown)).rejects.toMatchObject({ statusCode: 404 });
    await expect(v6.messages.getContent(unknown)).rejects.toMatchObject({ statusCode: 404 });
    await expect(v5.getMessageHistory(unknown)).rejects.toMatchObject({ response: { status: 404 } });
    await expect(v5.getMessageOutput(unknown)).rejects.toMatchObject({ response: { status: 404 } });
    const notFound = await api(`/messages/${unknown}/history`);
    expect(notFound.status).toBe(404);
    expect(await notFound.json()).toEqual({ message: expect.any(String), type: 'invalid_request_error' });

    await expect(v7.messages.list({ cursor: 'not-a-cursor' })).rejects.toMatchObject({ status: 400 });
    for (const query of ['cursor=bm9jb21tYQ%3D%3D', 'enqueued_after=yesterday', 'enqueued_after=1.5']) {
      const response = await api(`/messages?${query}`);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(await response.json()).toEqual({ message: expect.any(String), type: 'invalid_request_error' });
    }
  });

  it('describes the new paths in the API docs', async () => {
    const spec = (await (await fetch(`${stack.gatewayUrl}/docs-json`)).json()) as { paths: object };
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/messages', '/messages/{id}', '/messages/{id}/history', '/messages/{id}/output']),
    );
  });
});
