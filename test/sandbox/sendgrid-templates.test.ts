import { ApplicationFailure } from '@temporalio/common';
import { createSendGridClients } from '../../activities/providers/sendgrid-client';
import { createSendGridEmailProvider } from '../../activities/providers/sendgrid-email';
import { createSmtpEmailProvider } from '../../activities/providers/smtp-email';
import { FailureType } from '../../domain/failures';
import { sandboxCredentials } from '../../apps/sandbox/credentials';
import { messagesOf, startSandbox } from './helpers';

interface SendGridError {
  code: number;
  message: string;
  response: { body: { errors: Array<{ message: string; field: string | null }> } };
}

interface Version {
  id: string;
  template_id: string;
  active: 0 | 1;
  name: string;
  subject: string;
  html_content?: string;
  plain_content?: string;
  updated_at: string;
  warnings?: Array<{ message: string }>;
}

interface Template {
  id: string;
  name: string;
  generation: 'legacy' | 'dynamic';
  updated_at: string;
  versions: Version[];
}

interface TemplatePage {
  result: Template[];
  _metadata: { self: string; next?: string; count: number };
}

/** SendGrid's Templates API (providers.md §2.3) and dynamic template rendering, through the official SDKs. */
describe('sandbox: SendGrid Templates API through @sendgrid/client', () => {
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  let clients: ReturnType<typeof createSendGridClients>;

  beforeAll(async () => {
    sandbox = await startSandbox();
    clients = createSendGridClients({
      apiKey: sandboxCredentials.sendgrid.apiKey,
      fromEmail: 'noreply@example.com',
      baseUrl: `${sandbox.base}/sendgrid/`,
      timeoutMs: 2000,
    });
  });
  afterEach(() => sandbox.reset());
  afterAll(() => sandbox.close());

  async function request<T>(method: 'GET' | 'POST', url: string, extra: { body?: object; qs?: object } = {}) {
    const [response, body] = await clients.api.request({ method, url, ...extra });
    return { status: response.statusCode, body: body as T };
  }

  const failure = (promise: Promise<unknown>) =>
    promise.then(() => undefined).catch((e: unknown) => e as SendGridError);

  async function createTemplate(name: string, generation: 'legacy' | 'dynamic' = 'dynamic'): Promise<Template> {
    const created = await request<Template>('POST', '/v3/templates', { body: { name, generation } });
    expect(created.status).toBe(201);
    return created.body;
  }

  async function addVersion(templateId: string, version: object): Promise<Version> {
    const created = await request<Version>('POST', `/v3/templates/${templateId}/versions`, { body: version });
    expect(created.status).toBe(201);
    return created.body;
  }

  it('creates a dynamic template, keeps exactly one active version and serves it with its bodies', async () => {
    const template = await createTemplate('Order shipped');
    expect(template).toEqual({
      id: expect.stringMatching(/^d-[0-9a-f]{32}$/),
      name: 'Order shipped',
      generation: 'dynamic',
      updated_at: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
      versions: [],
    });

    // The first version is active even when it does not ask to be.
    const first = await addVersion(template.id, {
      name: 'v1',
      subject: 'Shipped',
      html_content: '<p>v1</p>',
      plain_content: 'v1',
      generate_plain_content: false,
    });
    expect(first).toMatchObject({ template_id: template.id, active: 1, name: 'v1', plain_content: 'v1' });
    const second = await addVersion(template.id, {
      name: 'v2',
      subject: 'Your order {{order.id}} shipped',
      html_content: '<p>Hi {{name}}</p>',
      plain_content: 'Hi {{name}}',
      generate_plain_content: false,
      active: 1,
    });
    const third = await addVersion(template.id, { name: 'draft', subject: 'Draft', html_content: '<p>d</p>' });
    expect(third.active).toBe(0);

    const fetched = await request<Template>('GET', `/v3/templates/${template.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body.versions.map((v) => [v.name, v.active])).toEqual([
      ['v1', 0],
      ['v2', 1],
      ['draft', 0],
    ]);
    expect(fetched.body.versions[1]).toEqual({
      ...second,
      active: 1,
      generate_plain_content: false,
      editor: 'code',
      html_content: '<p>Hi {{name}}</p>',
      plain_content: 'Hi {{name}}',
    });
  });

  it('derives the plain content from the HTML unless generate_plain_content is false, as SendGrid does', async () => {
    const template = await createTemplate('Receipt');
    const generated = await addVersion(template.id, {
      name: 'v1',
      subject: 'Receipt',
      html_content:
        '<html><head><style>p{}</style></head><p>Total: {{total}}</p><p>Thanks &amp; bye<br>Shop</p></html>',
      plain_content: 'ignored, as SendGrid ignores it',
    });
    expect(generated.plain_content).toBe('Total: {{total}}\nThanks & bye\nShop');
  });

  it('lists only legacy templates unless asked, lean (no bodies), and pages with page_token', async () => {
    const legacy = await createTemplate('legacy one', 'legacy');
    const dynamic: Template[] = [];
    for (const name of ['a', 'b', 'c', 'd', 'e']) {
      const template = await createTemplate(name);
      await addVersion(template.id, { name: 'v1', subject: `S ${name}`, html_content: `<p>${name}</p>` });
      dynamic.push(template);
    }

    const onlyLegacy = await request<TemplatePage>('GET', '/v3/templates', { qs: { page_size: 10 } });
    expect(onlyLegacy.body.result.map((t) => t.id)).toEqual([legacy.id]);
    const both = await request<TemplatePage>('GET', '/v3/templates', {
      qs: { generations: 'legacy,dynamic', page_size: 10 },
    });
    expect(both.body._metadata.count).toBe(6);

    const seen: Template[] = [];
    const pageTokens: string[] = [];
    let qs: Record<string, unknown> = { generations: 'dynamic', page_size: 2 };
    for (;;) {
      const page = await request<TemplatePage>('GET', '/v3/templates', { qs });
      expect(page.status).toBe(200);
      expect(page.body._metadata.count).toBe(5);
      expect(page.body._metadata.self.startsWith(`${sandbox.base}/sendgrid/v3/templates?`)).toBe(true);
      seen.push(...page.body.result);
      if (!page.body._metadata.next) break;
      // The client only keeps the token, as an importer of the real API must (its `next` names api.sendgrid.com).
      const token = new URL(page.body._metadata.next).searchParams.get('page_token') as string;
      pageTokens.push(token);
      qs = { ...qs, page_token: token };
    }
    expect(pageTokens).toHaveLength(2);
    expect(seen.map((t) => t.name)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(seen[0]).toEqual({
      id: dynamic[0]!.id,
      name: 'a',
      generation: 'dynamic',
      updated_at: expect.any(String),
      versions: [
        {
          id: expect.any(String),
          template_id: dynamic[0]!.id,
          active: 1,
          name: 'v1',
          subject: 'S a',
          generate_plain_content: true,
          editor: 'code',
          updated_at: expect.any(String),
        },
      ],
    });
  });

  it('answers a missing page_size, a bad generation and an unknown template as SendGrid does', async () => {
    const noPageSize = await failure(request('GET', '/v3/templates', { qs: { generations: 'dynamic' } }));
    expect(noPageSize).toMatchObject({ code: 400, message: 'Bad Request' });
    expect(noPageSize?.response.body.errors[0]).toMatchObject({ field: 'page_size' });

    const badGeneration = await failure(request('GET', '/v3/templates', { qs: { generations: 'new', page_size: 5 } }));
    expect(badGeneration?.response.body.errors[0]).toMatchObject({ field: 'generations' });

    const unknown = await failure(request('GET', `/v3/templates/d-${'0'.repeat(32)}`));
    expect(unknown).toMatchObject({ code: 404, message: 'Not Found' });
    const versionOfUnknown = await failure(
      request('POST', `/v3/templates/d-${'0'.repeat(32)}/versions`, { body: { name: 'v', subject: 's' } }),
    );
    expect(versionOfUnknown?.code).toBe(404);

    const template = await createTemplate('x');
    const noSubject = await failure(
      request('POST', `/v3/templates/${template.id}/versions`, { body: { name: 'v1', html_content: '<p>x</p>' } }),
    );
    expect(noSubject?.code).toBe(400);
    expect(noSubject?.response.body.errors.map((e) => e.field)).toEqual(['subject']);
    expect((await request<Template>('GET', `/v3/templates/${template.id}`)).body.versions).toEqual([]);
  });

  it('refuses a wrong API key with 401 on every Templates API route', async () => {
    const wrong = createSendGridClients({
      apiKey: 'SG.wrong',
      fromEmail: 'x@example.com',
      baseUrl: `${sandbox.base}/sendgrid/`,
    }).api;
    for (const call of [
      wrong.request({ method: 'GET', url: '/v3/templates', qs: { page_size: 1 } }),
      wrong.request({ method: 'GET', url: '/v3/templates/d-1' }),
      wrong.request({ method: 'POST', url: '/v3/templates', body: { name: 'x' } }),
      wrong.request({ method: 'POST', url: '/v3/templates/d-1/versions', body: { name: 'x', subject: 'y' } }),
    ]) {
      expect(await failure(call)).toMatchObject({ code: 401, message: 'Unauthorized' });
    }
  });

  it('warns about a version whose Handlebars does not parse', async () => {
    const template = await createTemplate('broken');
    const version = await addVersion(template.id, { name: 'v1', subject: 'Hi {{#if x}}', html_content: '<p>x</p>' });
    expect(version.warnings).toEqual([{ message: expect.stringMatching(/^subject: Parse error on line 1/) }]);
  });

  describe('Mail Send with template_id', () => {
    it('renders the active version with the personalization data and records the result', async () => {
      const template = await createTemplate('welcome');
      await addVersion(template.id, { name: 'old', subject: 'Old', html_content: '<p>old</p>' });
      await addVersion(template.id, {
        name: 'current',
        active: 1,
        subject: 'Welcome {{firstName}} & co',
        html_content:
          '<p>Hi {{firstName}}</p>{{#each items}}<li>{{this}}</li>{{/each}}' +
          '{{#equals plan "pro"}}<b>Pro</b>{{else}}<i>Free</i>{{/equals}}<p>{{insert nickname "default=friend"}}</p>',
        plain_content: 'Hi {{firstName}}, you have {{length items}} items',
        generate_plain_content: false,
      });

      const [response] = await clients.mail.send({
        to: 'ada@example.com',
        from: 'noreply@example.com',
        templateId: template.id,
        dynamicTemplateData: { firstName: 'Ada <3', items: ['tea', 'cake'], plan: 'pro' },
      });
      expect(response.statusCode).toBe(202);

      const [recorded] = await messagesOf(sandbox.base, '?provider=sendgrid');
      expect(recorded).toMatchObject({
        id: response.headers['x-message-id'],
        to: 'ada@example.com',
        // `{{x}}` escapes HTML in every part, subject and plain text included, as SendGrid does.
        subject: 'Welcome Ada &lt;3 & co',
        html: '<p>Hi Ada &lt;3</p><li>tea</li><li>cake</li><b>Pro</b><p>friend</p>',
        body: 'Hi Ada &lt;3, you have 2 items',
        params: { template_id: template.id },
      });
    });

    it('refuses an unknown template id, and a template with no active version, with 400 and records nothing', async () => {
      const empty = await createTemplate('empty');
      for (const templateId of [`d-${'a'.repeat(32)}`, empty.id]) {
        const error = (await failure(
          clients.mail.send({ to: 'a@example.com', from: 'noreply@example.com', templateId }),
        )) as SendGridError;
        expect(error.code).toBe(400);
        expect(error.response.body.errors).toEqual([
          expect.objectContaining({ field: 'template_id', message: expect.stringContaining(templateId) }),
        ]);
      }
      expect(await messagesOf(sandbox.base)).toHaveLength(0);
    });

    it('keeps the mail its own content for a legacy template', async () => {
      const legacy = await createTemplate('legacy', 'legacy');
      await clients.mail.send({
        to: 'a@example.com',
        from: 'noreply@example.com',
        templateId: legacy.id,
        subject: 'Own subject',
        text: 'own text',
      });
      const [recorded] = await messagesOf(sandbox.base);
      expect(recorded).toMatchObject({ subject: 'Own subject', body: 'own text' });
    });

    it("is what Herald's SendGrid provider sends for a template message: template and data, no subject or content", async () => {
      const template = await createTemplate('receipt');
      await addVersion(template.id, {
        name: 'v1',
        subject: 'Receipt for {{profile.email}}',
        html_content: '<p>{{total}}</p>',
      });
      const provider = createSendGridEmailProvider({
        apiKey: sandboxCredentials.sendgrid.apiKey,
        fromEmail: 'noreply@example.com',
        baseUrl: `${sandbox.base}/sendgrid/`,
      });
      const acceptance = await provider.send({
        messageId: 'msg-1',
        to: 'ada@example.com',
        subject: 'never sent',
        text: 'never sent',
        html: '<p>never sent</p>',
        sendgridTemplate: { id: template.id, data: { total: '9.99', profile: { email: 'ada@example.com' } } },
      });

      const [recorded] = await messagesOf(sandbox.base);
      expect(recorded).toMatchObject({
        id: acceptance.providerMessageId,
        subject: 'Receipt for ada@example.com',
        html: '<p>9.99</p>',
        body: '9.99',
      });
      const params = recorded!.params as Record<string, unknown>;
      expect(params).toMatchObject({
        template_id: template.id,
        custom_args: { herald_message_id: 'msg-1' },
        personalizations: [
          {
            to: [{ email: 'ada@example.com' }],
            dynamic_template_data: { total: '9.99', profile: { email: 'ada@example.com' } },
          },
        ],
      });
      expect(params.subject).toBeUndefined();
      expect(params.content).toBeUndefined();
    });

    it('is refused for good by the SMTP provider, before it connects anywhere', async () => {
      // Port 1 refuses connections: had the provider tried, the failure would be a retryable ProviderUnavailable.
      const smtp = createSmtpEmailProvider({ host: '127.0.0.1', port: 1, fromEmail: 'noreply@example.com' });
      try {
        const error = await smtp
          .send({
            messageId: 'msg-2',
            to: 'ada@example.com',
            subject: '',
            text: '',
            html: '',
            sendgridTemplate: { id: `d-${'b'.repeat(32)}`, data: {} },
          })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ApplicationFailure);
        expect(error).toMatchObject({
          type: FailureType.ProviderRejected,
          nonRetryable: true,
          message: expect.stringContaining('can only be rendered by SendGrid'),
        });
      } finally {
        smtp.close();
      }
    });

    it('forgets templates on reset', async () => {
      const template = await createTemplate('gone');
      sandbox.reset();
      expect(await failure(request('GET', `/v3/templates/${template.id}`))).toMatchObject({ code: 404 });
    });
  });
});
