import { temporal } from '@temporalio/proto';
import type { SendMessageInput } from '../../domain/message';
import { cancelMessageUpdate, sendMessage } from '../../workflows/send-message.workflow';
import { sendInput } from '../helpers/builders';
import { recordHistory } from '../helpers/histories';
import { createPreferenceStore } from '../../db/preferences';
import { createProfileStore } from '../../db/profiles';
import { createTemplateStore } from '../../db/templates';
import { useWorkflowTestbed } from '../helpers/workflow-testbed';

/**
 * sendMessage on the time-skipping test server with the real activities, the real provider SDKs and the real
 * sandbox: only time is simulated, so minutes of retry backoff and polling run in milliseconds.
 * With RECORD_HISTORIES=1 each scenario's history is written to test/replay/histories for the replay test.
 */
describe('sendMessage', () => {
  const bed = useWorkflowTestbed();

  async function run(scenario: string, input: SendMessageInput) {
    const result = await bed.withWorker((taskQueue) =>
      bed.env.client.workflow.execute(sendMessage, { workflowId: input.messageId, taskQueue, args: [input] }),
    );
    recordHistory(bed.env.address, input.messageId, `send-message-${scenario}`);
    const record = await bed.deps.messageLog.get(input.messageId);
    return { result, record };
  }

  it('delivers an SMS, fills in the variables and follows it to DELIVERED', async () => {
    const input = sendInput();
    const { result, record } = await run('sms-delivered', input);

    expect(result).toEqual({ status: 'DELIVERED' });
    const [sms] = await bed.providers.messages({ provider: 'twilio' });
    expect(sms.to).toBe('+15551234567');
    expect(sms.body).toBe('Your order A-1001 has shipped: https://track.example.com/A-1001');
    expect(record?.status).toBe('DELIVERED');
    expect(record?.providers).toEqual([
      expect.objectContaining({ provider: 'twilio', status: 'DELIVERED', reference: { sid: sms.id } }),
    ]);
    expect(record?.sent).toEqual(expect.any(Number));
    expect(record?.delivered).toEqual(expect.any(Number));
  });

  it('sends an email through SendGrid and ends SENT, since SendGrid has no status API to follow', async () => {
    const input = sendInput({ routing: { method: 'single', channels: ['email'] } });
    const { result, record } = await run('email-sent', input);

    expect(result).toEqual({ status: 'SENT' });
    const [email] = await bed.providers.messages({ provider: 'sendgrid' });
    expect(email).toMatchObject({ to: 'ada@example.com', subject: 'Order A-1001' });
    expect(email.body).toContain('Your order A-1001 has shipped');
    expect(record?.providers[0]).toMatchObject({
      provider: 'sendgrid',
      status: 'SENT',
      reference: { 'x-message-id': email.id },
    });
  });

  it('skips a channel the recipient has no address for (single: email, then sms)', async () => {
    const input = sendInput({
      to: { user_id: 'u2', phone_number: '+15557654321' },
      routing: { method: 'single', channels: ['email', 'sms'] },
    });
    const { result } = await run('skip-missing-email', input);

    expect(result.status).toBe('DELIVERED');
    expect(await bed.providers.messages({ provider: 'sendgrid' })).toHaveLength(0);
    expect(await bed.providers.messages({ provider: 'twilio' })).toHaveLength(1);
  });

  it('fails over to the next channel when the provider rejects the message for good', async () => {
    // +15005550001 is Twilio's magic "invalid number" (21211): permanent, so no retries.
    const input = sendInput({
      to: { phone_number: '+15005550001', email: 'ada@example.com' },
      routing: { method: 'single', channels: ['sms', 'email'] },
    });
    const { result, record } = await run('failover-permanent', input);

    expect(result.status).toBe('SENT');
    expect(await bed.providers.messages({ provider: 'sendgrid' })).toHaveLength(1);
    expect(record?.providers).toEqual([
      expect.objectContaining({ provider: 'twilio', status: 'UNDELIVERABLE', error: expect.stringContaining('21211') }),
      expect.objectContaining({ provider: 'sendgrid', status: 'SENT' }),
    ]);
  });

  it('retries transient provider errors with backoff until the provider accepts', async () => {
    await bed.providers.inject({ provider: 'sendgrid', status: 503, count: 2 });
    const input = sendInput({ routing: { method: 'single', channels: ['email'] } });
    const { result } = await run('retry-transient', input);

    expect(result.status).toBe('SENT');
    const history = await bed.env.client.workflow.getHandle(input.messageId).fetchHistory();
    const started = history.events?.find(
      (e) => e.activityTaskStartedEventAttributes,
    )?.activityTaskStartedEventAttributes;
    expect(started?.attempt).toBe(3);
  });

  it('does not send an SMS twice when Twilio accepted it but the answer was lost: the retry adopts it', async () => {
    // The sandbox records the message, then drops the connection: the activity fails and is retried.
    await bed.providers.inject({ provider: 'twilio', mode: 'drop', count: 1 });
    const input = sendInput();
    const { result, record } = await run('sms-answer-lost', input);

    expect(result).toEqual({ status: 'DELIVERED' });
    const sent = await bed.providers.messages({ provider: 'twilio' });
    expect(sent).toHaveLength(1);
    expect(record?.providers).toEqual([
      expect.objectContaining({ provider: 'twilio', status: 'DELIVERED', reference: { sid: sent[0].id } }),
    ]);
    const history = await bed.env.client.workflow.getHandle(input.messageId).fetchHistory();
    const started = history.events?.find((e) => e.activityTaskStartedEventAttributes);
    expect(started?.activityTaskStartedEventAttributes?.attempt).toBe(2);
  });

  it('gives up on a provider after the provider timeout and fails over to the next provider (SendGrid → SMTP)', async () => {
    await bed.providers.inject({ provider: 'sendgrid', status: 503, count: 1000 });
    const input = sendInput({ routing: { method: 'single', channels: ['email', 'sms'] } });
    const { result, record } = await run('provider-timeout-failover', input);

    expect(result.status).toBe('SENT');
    const [mail] = await bed.providers.messages({ provider: 'smtp' });
    expect(mail).toMatchObject({ to: 'ada@example.com', subject: 'Order A-1001' });
    // SendGrid was retried until the 5-minute provider timeout ran out (Temporal gives up early when the next
    // backoff would overshoot it, reporting retry state TIMEOUT), then routing moved on to SMS.
    const events = (await bed.env.client.workflow.getHandle(input.messageId).fetchHistory()).events ?? [];
    const attempts = events.map((e) => e.activityTaskStartedEventAttributes?.attempt ?? 0);
    expect(Math.max(...attempts)).toBeGreaterThanOrEqual(5);
    const gaveUp = events.find((e) => e.activityTaskTimedOutEventAttributes || e.activityTaskFailedEventAttributes);
    const retryState =
      gaveUp?.activityTaskTimedOutEventAttributes?.retryState ?? gaveUp?.activityTaskFailedEventAttributes?.retryState;
    expect(retryState).toBe(temporal.api.enums.v1.RetryState.RETRY_STATE_TIMEOUT);
    expect(record?.providers.map((p) => [p.provider, p.status])).toEqual([
      ['sendgrid', 'UNDELIVERABLE'],
      ['smtp', 'SENT'],
    ]);
    expect(await bed.providers.messages({ provider: 'twilio' })).toHaveLength(0);
  });

  it('moves to the next channel when every provider of a channel refuses (email → sms)', async () => {
    await bed.providers.inject({ provider: 'sendgrid', status: 400, count: 1 });
    const input = sendInput({
      to: { email: 'reject-permanent@example.com', phone_number: '+15551234567' },
      routing: { method: 'single', channels: ['email', 'sms'] },
    });
    const { result, record } = await run('channel-failover', input);

    expect(result.status).toBe('DELIVERED');
    expect(record?.providers.map((p) => [p.provider, p.status])).toEqual([
      ['sendgrid', 'UNDELIVERABLE'],
      ['smtp', 'UNDELIVERABLE'],
      ['twilio', 'DELIVERED'],
    ]);
  });

  it('delivers push through FCM to every device token', async () => {
    const input = sendInput({
      to: { firebaseToken: ['device-a', 'device-b'] },
      routing: { method: 'single', channels: ['push'] },
    });
    const { result, record } = await run('push-sent', input);

    expect(result.status).toBe('SENT');
    const pushes = await bed.providers.messages({ provider: 'firebase-fcm' });
    expect(pushes.map((p) => p.to).sort()).toEqual(['device-a', 'device-b']);
    expect(pushes[0]).toMatchObject({
      subject: 'Order A-1001',
      body: 'Your order A-1001 has shipped: https://track.example.com/A-1001',
    });
    expect(record?.providers[0]).toMatchObject({ provider: 'firebase-fcm', status: 'SENT' });
  });

  it('ends UNDELIVERABLE (FAILED) when Twilio reports the SMS undelivered and nothing else is routed', async () => {
    // +15005550010 is the sandbox's "handset unreachable" number: accepted, then undelivered with 30003.
    const input = sendInput({ to: { phone_number: '+15005550010' } });
    const { result, record } = await run('sms-undelivered', input);

    expect(result).toEqual({ status: 'UNDELIVERABLE', reason: 'FAILED' });
    expect(record).toMatchObject({
      status: 'UNDELIVERABLE',
      reason: 'FAILED',
      error: expect.stringContaining('30003'),
    });
  });

  it('ends UNDELIVERABLE (PROVIDER_ERROR) when the only provider refuses the message', async () => {
    const input = sendInput({ to: { phone_number: '+15005550004' } }); // 21610: recipient opted out
    const { result, record } = await run('sms-rejected', input);

    expect(result).toEqual({ status: 'UNDELIVERABLE', reason: 'PROVIDER_ERROR' });
    expect(record?.error).toContain('21610');
  });

  it('sends through every channel in parallel with routing "all"', async () => {
    const input = sendInput({ routing: { method: 'all', channels: ['email', 'sms'] } });
    const { result, record } = await run('routing-all', input);

    expect(result.status).toBe('DELIVERED');
    expect(await bed.providers.messages({ provider: 'sendgrid' })).toHaveLength(1);
    expect(await bed.providers.messages({ provider: 'twilio' })).toHaveLength(1);
    expect(record?.providers.map((p) => p.provider).sort()).toEqual(['sendgrid', 'twilio']);
  });

  it('ends UNROUTABLE (NO_CHANNELS) when the recipient has no address for any routed channel', async () => {
    const input = sendInput({ to: { user_id: 'nobody' }, routing: { method: 'single', channels: ['sms', 'email'] } });
    const { result, record } = await run('unroutable', input);

    expect(result).toEqual({ status: 'UNROUTABLE', reason: 'NO_CHANNELS' });
    expect(record?.status).toBe('UNROUTABLE');
    expect(await bed.providers.messages()).toHaveLength(0);
  });

  it('holds a delayed message as DELAYED for the whole delay, then delivers it', async () => {
    const input = sendInput({ delay: { durationMs: 2 * 3_600_000 } });
    const { result } = await run('delayed', input);

    expect(result.status).toBe('DELIVERED');
    const events = (await bed.env.client.workflow.getHandle(input.messageId).fetchHistory()).events ?? [];
    const timer = events.find((e) => e.timerStartedEventAttributes)?.timerStartedEventAttributes;
    expect(Number(timer?.startToFireTimeout?.seconds)).toBeGreaterThan(3_500);
  });

  it('cancels a delayed message before anything is sent', async () => {
    const input = sendInput({ delay: { durationMs: 3_600_000 } });
    const outcome = await bed.withWorker(async (taskQueue) => {
      const handle = await bed.env.client.workflow.start(sendMessage, {
        workflowId: input.messageId,
        taskQueue,
        args: [input],
      });
      const answer = await handle.executeUpdate(cancelMessageUpdate);
      return { answer, result: await handle.result() };
    });

    expect(outcome).toEqual({ answer: { canceled: true }, result: { status: 'CANCELED' } });
    expect(await bed.providers.messages()).toHaveLength(0);
    expect((await bed.deps.messageLog.get(input.messageId))?.status).toBe('CANCELED');
  });

  it('refuses to cancel once a provider has the message', async () => {
    const input = sendInput();
    const answer = await bed.withWorker(async (taskQueue) => {
      const handle = await bed.env.client.workflow.start(sendMessage, {
        workflowId: input.messageId,
        taskQueue,
        args: [input],
      });
      // Wait (in real time) until the SMS reached the sandbox; the workflow is then polling for its status.
      while ((await bed.providers.messages({ provider: 'twilio' })).length === 0)
        await new Promise((r) => setTimeout(r, 20));
      // The run may even have finished by now; a finished run takes no updates, which is a refusal too.
      const reply = await handle.executeUpdate(cancelMessageUpdate).catch(() => 'finished' as const);
      return { reply, result: await handle.result() };
    });
    // Refused: the workflow may not even have heard back from the provider yet (it then still says ENQUEUED).
    if (answer.reply !== 'finished') expect(answer.reply).toMatchObject({ canceled: false });
    expect(answer.result).toEqual({ status: 'DELIVERED' });
  });

  it('gives up on a channel after its channel timeout, however long its providers would still try', async () => {
    await bed.providers.inject({ provider: 'sendgrid', status: 503, count: 1000 });
    await bed.providers.inject({ provider: 'smtp', status: 451, count: 1000 });
    const input = sendInput({
      routing: { method: 'single', channels: ['email', 'sms'] },
      timeout: { channel: { email: 60_000 } },
    });
    const { result, record } = await run('channel-timeout', input);

    expect(result.status).toBe('DELIVERED');
    expect(record?.providers.map((p) => [p.provider, p.status])).toEqual([
      ['sendgrid', 'UNDELIVERABLE'],
      ['smtp', 'UNDELIVERABLE'],
      ['twilio', 'DELIVERED'],
    ]);
    // Both email providers got only what was left of the channel's minute, not their 5-minute provider timeout.
    const events = (await bed.env.client.workflow.getHandle(input.messageId).fetchHistory()).events ?? [];
    const budgets = events
      .map((e) => e.activityTaskScheduledEventAttributes?.scheduleToCloseTimeout?.seconds)
      .filter((seconds) => seconds !== undefined && seconds !== null)
      .map(Number);
    expect(budgets.slice(0, 2).every((seconds) => seconds <= 60)).toBe(true);
  });

  it('skips channels and providers whose if-condition is false', async () => {
    const input = sendInput({
      routing: { method: 'single', channels: ['sms', 'email'] },
      data: { order_id: 'A-1', tracking_url: 'x', urgent: false },
      channels: { sms: { if: 'data.urgent === true' } },
      providers: { sendgrid: { if: "profile.email.endsWith('@corp.example')" } },
    });
    const { result } = await run('conditions', input);

    expect(result.status).toBe('SENT');
    expect(await bed.providers.messages({ provider: 'twilio' })).toHaveLength(0);
    expect(await bed.providers.messages({ provider: 'sendgrid' })).toHaveLength(0);
    expect(await bed.providers.messages({ provider: 'smtp' })).toHaveLength(1);
  });

  it('sends through every provider of a channel with routing_method "all"', async () => {
    const input = sendInput({
      routing: { method: 'single', channels: ['email'] },
      channels: { email: { routing_method: 'all' } },
    });
    await run('channel-routing-all', input);

    expect(await bed.providers.messages({ provider: 'sendgrid' })).toHaveLength(1);
    expect(await bed.providers.messages({ provider: 'smtp' })).toHaveLength(1);
  });

  it('posts a webhook channel message to the recipient URL with its authentication', async () => {
    const input = sendInput({
      to: {
        user_id: 'u-9',
        webhook: { url: `${bed.sandbox.url}/webhook/orders`, authentication: { mode: 'bearer', token: 's3cret' } },
      },
      routing: { method: 'single', channels: ['webhook'] },
    });
    const { result, record } = await run('webhook-sent', input);

    expect(result.status).toBe('SENT');
    const [hook] = await bed.providers.messages({ provider: 'webhook' });
    expect(hook.params).toMatchObject({
      method: 'POST',
      headers: { authorization: '[present]' },
      body: { messageId: input.messageId, title: 'Order A-1001', profile: { user_id: 'u-9' } },
    });
    expect(JSON.stringify(hook.params)).not.toContain('s3cret');
    expect(record?.providers[0]).toMatchObject({ provider: 'webhook', status: 'SENT' });
  });

  it('retries a failing webhook endpoint and gives up on one that refuses', async () => {
    const refused = sendInput({
      to: { webhook: { url: `${bed.sandbox.url}/webhook/status/400` } },
      routing: { method: 'single', channels: ['webhook'] },
    });
    expect((await run('webhook-refused', refused)).result).toEqual({
      status: 'UNDELIVERABLE',
      reason: 'PROVIDER_ERROR',
    });

    await bed.providers.inject({ provider: 'webhook', status: 503, count: 2 });
    const flaky = sendInput({
      to: { webhook: { url: `${bed.sandbox.url}/webhook/orders` } },
      routing: { method: 'single', channels: ['webhook'] },
    });
    expect((await run('webhook-retried', flaky)).result.status).toBe('SENT');
  });

  it('resolves a user, their stored profile and a stored template at send time, routed by the template', async () => {
    await createProfileStore(bed.deps.database).merge('resolved-user', {
      email: 'resolved@example.com',
      phone_number: '+15556660001',
      name: 'Resolved',
    });
    await createTemplateStore(bed.deps.database).put({
      id: 'WELCOME',
      name: 'Welcome',
      routing: { method: 'all', channels: ['email', 'sms'] },
      content: {
        email: { subject: 'Welcome {{profile.name}}', text: 'Your code is {{code}}' },
        sms: { body: '{{profile.name}}, your code is {{code}}' },
      },
    });
    const input = sendInput({
      to: { user_id: 'resolved-user' },
      content: undefined,
      template: 'WELCOME',
      data: { code: '4242' },
      resolve: true,
      routingDefaulted: true,
    });
    const { result } = await run('template-from-profile', input);

    expect(result).toEqual({ status: 'DELIVERED' });
    const [email] = await bed.providers.messages({ provider: 'sendgrid' });
    expect(email).toMatchObject({ to: 'resolved@example.com', subject: 'Welcome Resolved', body: 'Your code is 4242' });
    const [sms] = await bed.providers.messages({ provider: 'twilio' });
    expect(sms).toMatchObject({ to: '+15556660001', body: 'Resolved, your code is 4242' });
  });

  it('ends FILTERED (UNSUBSCRIBED) at send time when the user has opted out of the topic', async () => {
    const preferences = createPreferenceStore(bed.deps.database);
    await preferences.putTopic({ id: 'promotions', name: 'Promotions', default_status: 'OPTED_IN' });
    await preferences.put('opted-out-user', 'promotions', { status: 'OPTED_OUT' });
    const input = sendInput({
      to: { user_id: 'opted-out-user', phone_number: '+15556660002' },
      topic: 'promotions',
      resolve: true,
    });
    const { result, record } = await run('filtered-unsubscribed', input);

    expect(result).toEqual({ status: 'FILTERED', reason: 'UNSUBSCRIBED' });
    expect(record).toMatchObject({ status: 'FILTERED', reason: 'UNSUBSCRIBED' });
    expect(await bed.providers.messages()).toEqual([]);
  });

  it('ends UNMAPPED when the message names a template Herald does not know', async () => {
    const input = sendInput({ content: undefined, template: 'ORDER_SHIPPED' });
    const { result, record } = await run('unmapped', input);

    expect(result).toEqual({ status: 'UNMAPPED' });
    expect(record).toMatchObject({ status: 'UNMAPPED', notification: 'ORDER_SHIPPED' });
  });
});
