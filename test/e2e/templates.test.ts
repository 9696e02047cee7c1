import { createSendGridApiClient } from '../../activities/providers/sendgrid-client';
import { sandboxCredentials } from '../../apps/sandbox/credentials';
import { describeImport, requestSendGridImport } from '../../scripts/import-sendgrid-templates';
import { eventually } from '../helpers/ports';
import { sendThroughGateway, describeEachStack } from '../helpers/stack';

interface TemplateJson {
  id: string;
  name: string;
  topic_id?: string;
  content: Record<string, unknown>;
  routing?: unknown;
  source?: string;
  created: number;
  updated: number;
}

interface ImportJson {
  imported: Array<{ id: string; name: string; source: string }>;
  skipped: Array<{ sendgrid_id: string; reason: string }>;
}

/** Herald's `/templates` and the SendGrid import over real HTTP, with SendGrid played by the provider sandbox. */
describeEachStack('templates', (stack) => {
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${stack().gatewayUrl}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${stack().apiKey}`, 'content-type': 'application/json', ...init.headers },
    });
  const put = (id: string, body: unknown) => api(`/templates/${id}`, { method: 'PUT', body: JSON.stringify(body) });
  const importFromSendGrid = (body: unknown = {}) =>
    api('/templates/import/sendgrid', { method: 'POST', body: JSON.stringify(body) });

  /** SendGrid's Templates API on the sandbox, called the way a user seeding SendGrid would. */
  const sendgrid = () =>
    createSendGridApiClient({ apiKey: sandboxCredentials.sendgrid.apiKey, baseUrl: `${stack().sandboxUrl}/sendgrid/` });
  async function seedDynamicTemplate(name: string, versions: object[]): Promise<string> {
    const [, template] = await sendgrid().request({
      method: 'POST',
      url: '/v3/templates',
      body: { name, generation: 'dynamic' },
    });
    for (const version of versions) {
      await sendgrid().request({ method: 'POST', url: `/v3/templates/${template.id}/versions`, body: version });
    }
    return template.id as string;
  }

  it('creates, reads, replaces, lists and deletes templates', async () => {
    const created = await put('crud.welcome', {
      content: { email: { subject: 'Hi {{name}}', html: '<p>Hello {{name}}</p>' }, sms: { body: 'Hi {{name}}' } },
      routing: { method: 'single', channels: ['email', 'sms'] },
    });
    expect(created.status).toBe(200);
    const first = (await created.json()) as TemplateJson;
    expect(first).toEqual({
      id: 'crud.welcome',
      name: 'crud.welcome',
      content: { email: { subject: 'Hi {{name}}', html: '<p>Hello {{name}}</p>' }, sms: { body: 'Hi {{name}}' } },
      routing: { method: 'single', channels: ['email', 'sms'] },
      created: expect.any(Number),
      updated: first.created,
    });
    expect(await (await api('/templates/crud.welcome')).json()).toEqual(first);

    await new Promise((resolve) => setTimeout(resolve, 5));
    // A template read back can be sent back: id, created and the like are ignored.
    const replaced = await put('crud.welcome', { ...first, name: 'Welcome', topic_id: 'news', routing: undefined });
    expect(replaced.status).toBe(200);
    const second = (await replaced.json()) as TemplateJson;
    expect(second).toEqual({
      ...first,
      name: 'Welcome',
      topic_id: 'news',
      routing: undefined,
      updated: second.updated,
    });
    expect('routing' in second).toBe(false);
    expect(second.created).toBe(first.created);
    expect(second.updated).toBeGreaterThan(first.updated);

    for (const id of ['crud.a', 'crud.b', 'crud.c']) {
      expect((await put(id, { name: id, content: { default: { body: id } } })).status).toBe(200);
    }
    const ids: string[] = [];
    let query = '?limit=2';
    for (;;) {
      const page = (await (await api(`/templates${query}`)).json()) as {
        items: TemplateJson[];
        paging: { cursor?: string; more: boolean };
      };
      ids.push(...page.items.map((t) => t.id));
      if (!page.paging.more) {
        expect(page.paging.cursor).toBeUndefined();
        break;
      }
      query = `?limit=2&cursor=${encodeURIComponent(page.paging.cursor as string)}`;
    }
    expect(ids.filter((id) => id.startsWith('crud.'))).toEqual(['crud.a', 'crud.b', 'crud.c', 'crud.welcome']);

    const deleted = await api('/templates/crud.welcome', { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    const missing = await api('/templates/crud.welcome');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ message: 'template crud.welcome not found', type: 'invalid_request_error' });
    expect((await api('/templates/crud.welcome', { method: 'DELETE' })).status).toBe(404);
  });

  it('refuses a Handlebars syntax error with a 400 naming the field, and stores nothing', async () => {
    const broken = {
      content: { email: { subject: 'Fine {{name}}', html: '<p>line one</p>\n<p>two</p>\n{{#if vip}}<b>VIP</b>' } },
    };
    const refused = await put('syntax', broken);
    expect(refused.status).toBe(400);
    const body = (await refused.json()) as { message: string; type: string };
    expect(body.type).toBe('invalid_request_error');
    expect(body.message).toMatch(/^content\.email\.html is not a valid template: Parse error on line 3/);
    expect((await api('/templates/syntax')).status).toBe(404);

    // Replacing a good template with a broken one leaves the good one.
    const good = (await (await put('syntax', { content: { sms: { body: 'ok {{name}}' } } })).json()) as TemplateJson;
    expect((await put('syntax', { content: { sms: { body: 'bad {{/if}}' } } })).status).toBe(400);
    expect(await (await api('/templates/syntax')).json()).toEqual(good);
  });

  it.each([
    ['a SendGrid dynamic template id', `d-${'a'.repeat(32)}`, { content: { sms: { body: 'x' } } }, /SendGrid/],
    ['an id with a space', 'two%20words', { content: { sms: { body: 'x' } } }, /template id must be/],
    ['no content block', 'empty', { content: {} }, /^content: needs at least one block/],
    ['an unknown channel', 'typo', { content: { emial: { subject: 's' } } }, /^content: unknown block emial/],
    [
      'an email without a subject',
      'nosubject',
      { content: { email: { html: '<p>x</p>' } } },
      /content\.email\.subject/,
    ],
    [
      'empty routing',
      'routing',
      { content: { sms: { body: 'x' } }, routing: { method: 'all', channels: [] } },
      /routing/,
    ],
    ['a body that is not an object', 'array', [1, 2], /body must be an object/],
  ])('refuses %s with 400', async (_what, id, body, message) => {
    const response = await put(id, body);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ message: expect.stringMatching(message), type: 'invalid_request_error' });
    expect((await api(`/templates/${id}`)).status).not.toBe(200);
  });

  it('imports a dynamic template seeded into SendGrid, its active version only, and re-imports idempotently', async () => {
    const shipped = await seedDynamicTemplate('Order Shipped!', [
      { name: 'v1', subject: 'Old subject', html_content: '<p>old</p>' },
      {
        name: 'v2',
        active: 1,
        subject: 'Your order {{order.id}} shipped',
        html_content: '<p>Hi {{firstName}}, order {{order.id}} is on its way.</p>',
        plain_content: 'Hi {{firstName}}, order {{order.id}} is on its way.',
        generate_plain_content: false,
      },
    ]);
    const empty = await seedDynamicTemplate('No versions yet', []);
    const taken = await seedDynamicTemplate('Taken', [{ name: 'v1', subject: 'S', html_content: '<p>s</p>' }]);
    expect((await put('taken', { content: { sms: { body: 'mine' } } })).status).toBe(200);

    const response = await importFromSendGrid();
    expect(response.status).toBe(200);
    const result = (await response.json()) as ImportJson;
    expect(result).toEqual({
      imported: [{ id: 'order-shipped', name: 'Order Shipped!', source: `sendgrid:${shipped}` }],
      skipped: [
        { sendgrid_id: empty, reason: 'the template has no active version' },
        { sendgrid_id: taken, reason: 'template id taken is taken by a template written through the API' },
      ],
    });

    const imported = (await (await api('/templates/order-shipped')).json()) as TemplateJson;
    expect(imported).toEqual({
      id: 'order-shipped',
      name: 'Order Shipped!',
      source: `sendgrid:${shipped}`,
      content: {
        email: {
          subject: 'Your order {{order.id}} shipped',
          html: '<p>Hi {{firstName}}, order {{order.id}} is on its way.</p>',
          text: 'Hi {{firstName}}, order {{order.id}} is on its way.',
        },
      },
      created: expect.any(Number),
      updated: expect.any(Number),
    });
    expect(((await (await api('/templates/taken')).json()) as TemplateJson).content).toEqual({
      sms: { body: 'mine' },
    });

    // Again: same answer, same template (not a second copy), created kept.
    const again = (await (await importFromSendGrid()).json()) as ImportJson;
    expect(again).toEqual(result);
    const reimported = (await (await api('/templates/order-shipped')).json()) as TemplateJson;
    expect(reimported).toEqual({ ...imported, updated: reimported.updated });
    const all = (await (await api('/templates?limit=100')).json()) as { items: TemplateJson[] };
    expect(all.items.filter((t) => t.source === `sendgrid:${shipped}`)).toHaveLength(1);

    // A new active version in SendGrid, and a rename, reach the same Herald template on the next import.
    await sendgrid().request({
      method: 'POST',
      url: `/v3/templates/${shipped}/versions`,
      body: { name: 'v3', active: 1, subject: 'Shipped: {{order.id}}', html_content: '<p>v3</p>' },
    });
    const selected = (await (await importFromSendGrid({ ids: [shipped] })).json()) as ImportJson;
    expect(selected).toEqual({
      imported: [{ id: 'order-shipped', name: 'Order Shipped!', source: `sendgrid:${shipped}` }],
      skipped: [],
    });
    const updated = (await (await api('/templates/order-shipped')).json()) as TemplateJson;
    expect(updated.content).toEqual({ email: { subject: 'Shipped: {{order.id}}', html: '<p>v3</p>', text: 'v3' } });
    expect(updated.created).toBe(imported.created);
  });

  it('follows SendGrid paging through every dynamic template', async () => {
    // More than one page of SendGrid's largest page size (200).
    const seeded: string[] = [];
    for (let i = 0; i < 205; i++) {
      seeded.push(
        await seedDynamicTemplate(`Paged ${String(i).padStart(3, '0')}`, [
          { name: 'v1', subject: `S${i}`, html_content: `<p>${i}</p>` },
        ]),
      );
    }
    const result = (await (await importFromSendGrid()).json()) as ImportJson;
    expect(result.skipped).toEqual([]);
    expect(result.imported.map((t) => t.source)).toEqual(seeded.map((id) => `sendgrid:${id}`));
    expect(result.imported[204]).toMatchObject({ id: 'paged-204', name: 'Paged 204' });
    const requests = (await (await fetch(`${stack().sandboxUrl}/sandbox/requests?provider=sendgrid`)).json()) as Array<{
      method: string;
      path: string;
    }>;
    const listings = requests.filter((r) => r.method === 'GET' && r.path.startsWith('/sendgrid/v3/templates?'));
    expect(listings).toHaveLength(2);
    expect(listings[0]!.path).toContain('generations=dynamic');
    expect(listings[1]!.path).toContain('page_token=');
  });

  it('imports only the ids asked for, and reports an unknown one as skipped', async () => {
    const wanted = await seedDynamicTemplate('Wanted', [{ name: 'v1', subject: 'W', html_content: '<p>w</p>' }]);
    await seedDynamicTemplate('Not wanted', [{ name: 'v1', subject: 'N', html_content: '<p>n</p>' }]);
    const unknown = `d-${'f'.repeat(32)}`;
    const result = (await (await importFromSendGrid({ ids: [wanted, unknown] })).json()) as ImportJson;
    expect(result).toEqual({
      imported: [{ id: 'wanted', name: 'Wanted', source: `sendgrid:${wanted}` }],
      skipped: [{ sendgrid_id: unknown, reason: 'SendGrid has no template with this id' }],
    });
    expect((await api('/templates/not-wanted')).status).toBe(404);

    const invalid = await importFromSendGrid({ ids: ['welcome'] });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { message: string }).message).toMatch(/^ids\.0: must be a SendGrid dynamic/);
  });

  it('answers 502 when SendGrid refuses the key or cannot be reached', async () => {
    await stack().providers.inject({ provider: 'sendgrid', count: 1, status: 401 });
    const refused = await importFromSendGrid();
    expect(refused.status).toBe(502);
    expect(await refused.json()).toEqual({
      message: expect.stringMatching(
        /^SendGrid answered GET \/v3\/templates with 401 Unauthorized.*\(check SENDGRID_API_KEY\)$/,
      ),
      type: 'api_error',
    });

    await stack().providers.inject({ provider: 'sendgrid', count: 1, mode: 'drop' });
    const unreachable = await importFromSendGrid();
    expect(unreachable.status).toBe(502);
    expect(((await unreachable.json()) as { message: string }).message).toMatch(
      /^SendGrid could not be reached for GET \/v3\/templates: /,
    );
  });

  it('imports through the CLI helper and prints what happened', async () => {
    const id = await seedDynamicTemplate('From the CLI', [{ name: 'v1', subject: 'C', html_content: '<p>c</p>' }]);
    const result = await requestSendGridImport(stack().gatewayUrl, stack().apiKey);
    expect(describeImport(result)).toBe(
      `imported from-the-cli (From the CLI) from sendgrid:${id}\n1 imported, 0 skipped`,
    );
    await expect(requestSendGridImport(stack().gatewayUrl, 'wrong-key')).rejects.toThrow(/answered 401/);
  });

  it('sends with a SendGrid template id: SendGrid renders it with the data and the profile', async () => {
    const templateId = await seedDynamicTemplate('Receipt', [
      {
        name: 'v1',
        subject: 'Receipt for {{profile.email}}',
        html_content: '<p>Total {{total}}</p>',
        plain_content: 'Total {{total}}',
        generate_plain_content: false,
      },
    ]);
    await sendThroughGateway(stack(), {
      to: { email: 'ada@example.com' },
      template: templateId,
      data: { total: '12.50' },
    });
    const [mail] = await eventually(async () => {
      const received = await stack().providers.messages({ provider: 'sendgrid' });
      return received.length > 0 ? received : undefined;
    });
    expect(mail).toMatchObject({
      to: 'ada@example.com',
      subject: 'Receipt for ada@example.com',
      html: '<p>Total 12.50</p>',
      body: 'Total 12.50',
      params: { template_id: templateId },
    });
    expect(mail!.params.content).toBeUndefined();
    expect(mail!.params.subject).toBeUndefined();
  });
});
