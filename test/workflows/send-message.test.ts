import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { temporalCliPath } from '../../apps/common/temporal-binaries';
import { createSandbox, type Sandbox } from '../../apps/sandbox/sandbox';
import type { SendMessageInput } from '../../domain/message';
import { sendMessage } from '../../workflows/send-message.workflow';
import { sendInput } from '../helpers/builders';
import { sandboxClient, type SandboxClient } from '../helpers/sandbox-client';
import { timeSkippingEnvironment } from '../helpers/temporal';
import { realWorkerDeps, type WorkerDeps } from '../helpers/worker-deps';

/**
 * sendMessage on the time-skipping test server with the real activities, the real provider SDKs and the real
 * sandbox: only time is simulated, so minutes of retry backoff and polling run in milliseconds.
 * With RECORD_HISTORIES=1 each scenario's history is written to test/replay/histories for the replay test.
 */
describe('sendMessage', () => {
  let env: TestWorkflowEnvironment;
  let sandbox: Sandbox;
  let providers: SandboxClient;
  let deps: WorkerDeps;
  let bundle: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    env = await timeSkippingEnvironment();
    // Statuses resolve at once so each poll gets a final answer: histories stay short and deterministic.
    sandbox = createSandbox({ logger: false, twilioStatusTiming: { sentAfterMs: 0, deliveredAfterMs: 0 } });
    const url = await sandbox.listen(0);
    providers = sandboxClient(url);
    deps = await realWorkerDeps(url, await sandbox.listenSmtp(0));
    bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: silentLogger });
  }, 120_000);

  afterAll(async () => {
    await deps?.database.close();
    await sandbox?.close();
    await env?.teardown();
  });

  beforeEach(() => sandbox.reset());

  async function run(scenario: string, input: SendMessageInput) {
    const taskQueue = `test-${randomUUID()}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities: deps.activities,
    });
    const result = await worker.runUntil(
      env.client.workflow.execute(sendMessage, { workflowId: input.messageId, taskQueue, args: [input] }),
    );
    if (process.env.RECORD_HISTORIES) recordHistory(scenario, input.messageId);
    const record = await deps.messageLog.get(input.messageId);
    return { result, record };
  }

  /**
   * Exports the history with the Temporal CLI, in the JSON format Temporal's own tools write and replay.
   * `RECORD_HISTORIES=<tag>` names the files `send-message-<scenario>-<tag>.json` and never overwrites one: old
   * recordings stand for runs started by older code, which the current code must still replay.
   */
  function recordHistory(scenario: string, workflowId: string): void {
    const cli = temporalCliPath();
    if (!cli) throw new Error('RECORD_HISTORIES needs the Temporal CLI: run npm run temporal:install');
    const tag = process.env.RECORD_HISTORIES;
    const file = resolve(
      __dirname,
      '../replay/histories',
      `send-message-${scenario}${tag && tag !== '1' ? `-${tag}` : ''}.json`,
    );
    if (existsSync(file)) return;
    const json = execFileSync(cli, [
      'workflow',
      'show',
      '--address',
      env.address,
      '--workflow-id',
      workflowId,
      '--output',
      'json',
    ]);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, json);
  }

  it('delivers an SMS, fills in the variables and follows it to DELIVERED', async () => {
    const input = sendInput();
    const { result, record } = await run('sms-delivered', input);

    expect(result).toEqual({ status: 'DELIVERED' });
    const [sms] = await providers.messages({ provider: 'twilio' });
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
    const [email] = await providers.messages({ provider: 'sendgrid' });
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
    expect(await providers.messages({ provider: 'sendgrid' })).toHaveLength(0);
    expect(await providers.messages({ provider: 'twilio' })).toHaveLength(1);
  });

  it('fails over to the next channel when the provider rejects the message for good', async () => {
    // +15005550001 is Twilio's magic "invalid number" (21211): permanent, so no retries.
    const input = sendInput({
      to: { phone_number: '+15005550001', email: 'ada@example.com' },
      routing: { method: 'single', channels: ['sms', 'email'] },
    });
    const { result, record } = await run('failover-permanent', input);

    expect(result.status).toBe('SENT');
    expect(await providers.messages({ provider: 'sendgrid' })).toHaveLength(1);
    expect(record?.providers).toEqual([
      expect.objectContaining({ provider: 'twilio', status: 'UNDELIVERABLE', error: expect.stringContaining('21211') }),
      expect.objectContaining({ provider: 'sendgrid', status: 'SENT' }),
    ]);
  });

  it('retries transient provider errors with backoff until the provider accepts', async () => {
    await providers.inject({ provider: 'sendgrid', status: 503, count: 2 });
    const input = sendInput({ routing: { method: 'single', channels: ['email'] } });
    const { result } = await run('retry-transient', input);

    expect(result.status).toBe('SENT');
    const history = await env.client.workflow.getHandle(input.messageId).fetchHistory();
    const started = history.events?.find(
      (e) => e.activityTaskStartedEventAttributes,
    )?.activityTaskStartedEventAttributes;
    expect(started?.attempt).toBe(3);
  });

  it('gives up on a provider after the provider timeout and fails over to the next provider (SendGrid → SMTP)', async () => {
    await providers.inject({ provider: 'sendgrid', status: 503, count: 1000 });
    const input = sendInput({ routing: { method: 'single', channels: ['email', 'sms'] } });
    const { result, record } = await run('provider-timeout-failover', input);

    expect(result.status).toBe('SENT');
    const [mail] = await providers.messages({ provider: 'smtp' });
    expect(mail).toMatchObject({ to: 'ada@example.com', subject: 'Order A-1001' });
    // SendGrid was retried until the 5-minute provider timeout ran out (Temporal gives up early when the next
    // backoff would overshoot it, reporting retry state TIMEOUT), then routing moved on to SMS.
    const events = (await env.client.workflow.getHandle(input.messageId).fetchHistory()).events ?? [];
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
    expect(await providers.messages({ provider: 'twilio' })).toHaveLength(0);
  });

  it('moves to the next channel when every provider of a channel refuses (email → sms)', async () => {
    await providers.inject({ provider: 'sendgrid', status: 400, count: 1 });
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
    const pushes = await providers.messages({ provider: 'firebase-fcm' });
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
    expect(await providers.messages({ provider: 'sendgrid' })).toHaveLength(1);
    expect(await providers.messages({ provider: 'twilio' })).toHaveLength(1);
    expect(record?.providers.map((p) => p.provider).sort()).toEqual(['sendgrid', 'twilio']);
  });

  it('ends UNROUTABLE (NO_CHANNELS) when the recipient has no address for any routed channel', async () => {
    const input = sendInput({ to: { user_id: 'nobody' }, routing: { method: 'single', channels: ['sms', 'email'] } });
    const { result, record } = await run('unroutable', input);

    expect(result).toEqual({ status: 'UNROUTABLE', reason: 'NO_CHANNELS' });
    expect(record?.status).toBe('UNROUTABLE');
    expect(await providers.messages()).toHaveLength(0);
  });

  it('ends UNMAPPED when the message names a template Herald does not know', async () => {
    const input = sendInput({ content: undefined, template: 'ORDER_SHIPPED' });
    const { result, record } = await run('unmapped', input);

    expect(result).toEqual({ status: 'UNMAPPED' });
    expect(record).toMatchObject({ status: 'UNMAPPED', notification: 'ORDER_SHIPPED' });
  });
});

const silentLogger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };
