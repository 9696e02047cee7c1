import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { eventually, freePort } from '../helpers/ports';
import { sandboxClient } from '../helpers/sandbox-client';

const run = promisify(execFile);
const launcher = resolve(__dirname, '../../dist/apps/launcher/main.js');

function portIsOpen(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), done(true)));
    socket.once('error', () => done(false));
  });
}

/**
 * `npm start` as a user runs it: the compiled launcher brings up Temporal (with its UI), the sandbox, the worker
 * and the gateway; the README's curl command sends the seed SMS; SIGTERM stops everything.
 */
describe('npm start (the launcher)', () => {
  let child: ChildProcess;
  let output = '';
  let dataDir: string;
  let ports: { api: number; sandbox: number; smtp: number; temporal: number; ui: number };

  beforeAll(async () => {
    if (!existsSync(launcher)) throw new Error('dist/ is missing: run `npm run build` (npm test does it first)');
    dataDir = mkdtempSync(join(tmpdir(), 'herald-start-'));
    ports = {
      api: await freePort(),
      sandbox: await freePort(),
      smtp: await freePort(),
      temporal: await freePort(),
      ui: await freePort(),
    };
    child = spawn(process.execPath, [launcher], {
      env: {
        ...process.env,
        PORT: String(ports.api),
        SANDBOX_PORT: String(ports.sandbox),
        SANDBOX_SMTP_PORT: String(ports.smtp),
        TEMPORAL_PORT: String(ports.temporal),
        TEMPORAL_UI_PORT: String(ports.ui),
        DATA_DIR: dataDir,
        HERALD_API_KEYS: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    await eventually(
      async () => (output.includes('Herald is running.') ? true : undefined),
      120_000,
      'the launcher to start',
    ).catch((error) => {
      throw new Error(`${error.message}\n--- launcher output ---\n${output.slice(-4000)}`);
    });
  }, 150_000);

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints where everything is', () => {
    expect(output).toContain(`API          http://127.0.0.1:${ports.api}`);
    expect(output).toContain(`API docs     http://127.0.0.1:${ports.api}/docs`);
    expect(output).toContain(`Temporal UI  http://127.0.0.1:${ports.ui}`);
    expect(output).toContain(`Sandbox      http://127.0.0.1:${ports.sandbox}/sandbox`);
  });

  it('delivers the seed SMS sent with curl and shows it DELIVERED', async () => {
    const body = JSON.stringify({
      message: {
        to: { user_id: 'user-123', phone_number: '+15551234567' },
        content: { body: 'Your order {{order_id}} has shipped! Track it at {{tracking_url}}' },
        data: { order_id: 'ORD-9876', tracking_url: 'https://track.example.com/ORD-9876' },
        routing: { method: 'single', channels: ['sms'] },
      },
    });
    const api = `http://127.0.0.1:${ports.api}`;
    const auth = ['-H', 'Authorization: Bearer herald-dev-key'];
    const sent = await run('curl', [
      '-sS',
      '-X',
      'POST',
      `${api}/send`,
      ...auth,
      '-H',
      'Content-Type: application/json',
      '-d',
      body,
    ]);
    const { requestId } = JSON.parse(sent.stdout);
    expect(requestId).toMatch(/^1-/);

    const message = await eventually(
      async () => {
        const { stdout } = await run('curl', ['-sS', `${api}/messages/${requestId}`, ...auth]);
        const parsed = JSON.parse(stdout);
        return parsed.status === 'DELIVERED' ? parsed : undefined;
      },
      30_000,
      'DELIVERED',
    );
    expect(message.providers[0]).toMatchObject({ provider: 'twilio', status: 'DELIVERED' });

    const [sms] = await sandboxClient(`http://127.0.0.1:${ports.sandbox}`).messages({ provider: 'twilio' });
    expect(sms.body).toBe('Your order ORD-9876 has shipped! Track it at https://track.example.com/ORD-9876');
  });

  it('installs the shipped examples: ORDER_CONFIRMATION renders for a stored user, the automation is there', async () => {
    const api = `http://127.0.0.1:${ports.api}`;
    const headers = { authorization: 'Bearer herald-dev-key', 'content-type': 'application/json' };
    const automation = await fetch(`${api}/automations/templates/order-completed`, { headers });
    expect(automation.status).toBe(200);
    expect(await automation.json()).toMatchObject({ status: 'published', triggers: ['track/Order Completed'] });

    await fetch(`${api}/profiles/user-456`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ profile: { email: 'user456@example.com', phone_number: '+15550004567' } }),
    });
    const sent = await fetch(`${api}/send`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        message: {
          to: { user_id: 'user-456' },
          template: 'ORDER_CONFIRMATION',
          data: { customer_name: 'Ada', order_id: 'ORD-1', total: 42, items: [{ name: 'Tea', qty: 3 }] },
        },
      }),
    });
    expect(sent.status).toBe(202);
    const sandbox = sandboxClient(`http://127.0.0.1:${ports.sandbox}`);
    const sms = await eventually(
      async () => (await sandbox.messages({ provider: 'twilio', to: '+15550004567' }))[0],
      30_000,
      'the ORDER_CONFIRMATION SMS',
    );
    expect(sms.body).toBe('Hi Ada, order ORD-1 is confirmed: 3x Tea. Total $42.00.');
    const email = await eventually(
      async () => (await sandbox.messages({ to: 'user456@example.com' }))[0],
      30_000,
      'the ORDER_CONFIRMATION email',
    );
    expect(email.subject).toBe('Your order ORD-1 is confirmed');
  });

  it('serves the Temporal UI and keeps state in DATA_DIR', async () => {
    const ui = await fetch(`http://127.0.0.1:${ports.ui}/`);
    expect(ui.status).toBe(200);
    expect(existsSync(join(dataDir, 'temporal.sqlite'))).toBe(true);
    expect(existsSync(join(dataDir, 'herald.sqlite'))).toBe(true);
  });

  it('stops every process on SIGTERM', async () => {
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const port of Object.values(ports)) expect(await portIsOpen(port)).toBe(false);
  }, 90_000);
});
