import { createSendGridClients } from '../../activities/providers/sendgrid-client';
import { sandboxCredentials } from '../../apps/sandbox/credentials';
import { messagesOf, requestsOf, startSandbox } from './helpers';

interface SendGridError {
  code: number;
  message: string;
  response: { body: { errors: Array<{ message: string; field: string | null; help: null }> } };
}

describe('sandbox: SendGrid Mail Send through @sendgrid/mail', () => {
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  let mail: ReturnType<typeof createSendGridClients>['mail'];
  let api: ReturnType<typeof createSendGridClients>['api'];

  beforeAll(async () => {
    sandbox = await startSandbox();
    ({ mail, api } = createSendGridClients({
      apiKey: sandboxCredentials.sendgrid.apiKey,
      fromEmail: 'noreply@example.com',
      baseUrl: `${sandbox.base}/sendgrid/`,
      timeoutMs: 2000,
    }));
  });
  afterEach(() => sandbox.reset());
  afterAll(() => sandbox.close());

  it('accepts a mail with 202 and an X-Message-Id, and records it', async () => {
    const [response] = await mail.send({
      to: { email: 'ada@example.com', name: 'Ada' },
      from: { email: 'noreply@example.com', name: 'Herald' },
      subject: 'Welcome',
      text: 'Hello Ada',
      html: '<p>Hello <b>Ada</b></p>',
      customArgs: { notification_id: 'n1' },
    });

    expect(response.statusCode).toBe(202);
    const messageId = response.headers['x-message-id'] as string;
    expect(messageId).toMatch(/^[A-Za-z0-9_-]{22}$/);

    const listed = await messagesOf(sandbox.base, '?provider=sendgrid');
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      id: messageId,
      provider: 'sendgrid',
      channel: 'email',
      to: 'ada@example.com',
      from: 'noreply@example.com',
      subject: 'Welcome',
      body: 'Hello Ada',
      html: '<p>Hello <b>Ada</b></p>',
      status: 'accepted',
      params: { custom_args: { notification_id: 'n1' } },
    });
  });

  it('records dynamic template sends per personalization and filters by any recipient', async () => {
    // Mail Send refuses unknown template ids, so the template is created first, as a user would.
    const [, template] = await api.request({
      method: 'POST',
      url: '/v3/templates',
      body: { name: 'welcome', generation: 'dynamic' },
    });
    await api.request({
      method: 'POST',
      url: `/v3/templates/${template.id}/versions`,
      body: { name: 'v1', subject: 'Hi {{firstName}}', html_content: '<p>Hi {{firstName}}</p>' },
    });
    await mail.send({
      to: 'c@example.com',
      cc: 'boss@example.com',
      from: 'noreply@example.com',
      templateId: template.id,
      dynamicTemplateData: { firstName: 'Ada' },
    });
    const [listed] = await messagesOf(sandbox.base, '?to=BOSS@example.com');
    expect(listed).toMatchObject({
      to: 'c@example.com',
      params: {
        template_id: template.id,
        personalizations: [{ to: [{ email: 'c@example.com' }], dynamic_template_data: { firstName: 'Ada' } }],
      },
    });
    expect(await messagesOf(sandbox.base, '?to=nobody@example.com')).toHaveLength(0);
  });

  it('rejects a mail without content with 400 and a field error', async () => {
    const error = (await mail
      .send({ to: 'a@example.com', from: 'noreply@example.com', subject: 'Hi' } as never)
      .catch((e: unknown) => e)) as SendGridError;
    expect(error.code).toBe(400);
    expect(error.message).toBe('Bad Request');
    expect(error.response.body.errors).toEqual([expect.objectContaining({ field: 'content', help: null })]);
    expect(await messagesOf(sandbox.base)).toHaveLength(0);
  });

  it('reports every validation problem at once', async () => {
    const response = await fetch(`${sandbox.base}/sendgrid/v3/mail/send`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sandboxCredentials.sendgrid.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ personalizations: [{ to: [] }], from: {} }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as SendGridError['response']['body'];
    expect(body.errors.map((e) => e.field)).toEqual(['personalizations.0.to', 'from.email', 'subject', 'content']);
  });

  it('answers a body that is not JSON with 400 in the errors shape', async () => {
    const response = await fetch(`${sandbox.base}/sendgrid/v3/mail/send`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sandboxCredentials.sendgrid.apiKey}`, 'content-type': 'application/json' },
      body: '{"personalizations":',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ errors: [{ message: 'Bad Request', field: null, help: null }] });
  });

  it('rejects a wrong API key with 401', async () => {
    const { mail: wrong } = createSendGridClients({
      apiKey: 'SG.wrong',
      fromEmail: 'x@example.com',
      baseUrl: `${sandbox.base}/sendgrid/`,
    });
    const error = (await wrong
      .send({ to: 'a@example.com', from: 'x@example.com', subject: 'Hi', text: 'x' })
      .catch((e: unknown) => e)) as SendGridError;
    expect(error.code).toBe(401);
    expect(error.message).toBe('Unauthorized');
    expect(error.response.body.errors[0]).toMatchObject({ field: null, help: null });
    // The key never reaches the request log.
    const [logged] = await requestsOf(sandbox.base, 'sendgrid');
    expect(logged?.headers.authorization).toBe('Bearer [redacted]');
  });

  it('answers sandbox_mode with 200 and does not record a message', async () => {
    const [response] = await mail.send({
      to: 'a@example.com',
      from: 'noreply@example.com',
      subject: 'Hi',
      text: 'x',
      mailSettings: { sandboxMode: { enable: true } },
    });
    expect(response.statusCode).toBe(200);
    expect(await messagesOf(sandbox.base)).toHaveLength(0);
    expect(await requestsOf(sandbox.base, 'sendgrid')).toHaveLength(1);
  });
});
