import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Courier from '@trycourier/courier';
import { eventually } from '../helpers/ports';
import { describeEachStack, sendThroughGateway } from '../helpers/stack';

interface AutomationTemplateJson {
  id: string;
  alias?: string;
  name: string;
  status: 'published' | 'draft';
  definition: { cancelation_token?: string; steps: Array<Record<string, unknown>> };
  triggers: string[];
  created: number;
  updated: number;
}

const example = (path: string) =>
  JSON.parse(readFileSync(join(__dirname, '../../examples', path), 'utf8')) as { id: string } & Record<string, unknown>;

/** Herald's automation templates and triggers, and Courier's `GET /automations`, over real HTTP on each database. */
describeEachStack('automation templates', (stack) => {
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${stack().gatewayUrl}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${stack().apiKey}`, 'content-type': 'application/json', ...init.headers },
    });
  const put = (id: string, body: unknown) =>
    api(`/automations/templates/${encodeURIComponent(id)}`, { method: 'PUT', body: JSON.stringify(body) });
  const read = async (id: string) => (await api(`/automations/templates/${encodeURIComponent(id)}`)).json();
  const triggersOf = async (event?: string) => {
    const response = await api(
      `/automations/triggers${event === undefined ? '' : `?event=${encodeURIComponent(event)}`}`,
    );
    expect(response.status).toBe(200);
    return ((await response.json()) as { items: Array<{ event: string; template_id: string }> }).items;
  };
  const v7 = () => new Courier({ apiKey: stack().apiKey, baseURL: stack().gatewayUrl, maxRetries: 0 });

  const welcomeSteps = [
    { action: 'delay', duration: 'PT5M' },
    { action: 'send', template: 'AUTO_WELCOME', recipient: 'u1', if: 'refs.data.plan === "pro"' },
  ];
  beforeAll(async () => {
    const response = await api('/templates/AUTO_WELCOME', {
      method: 'PUT',
      body: JSON.stringify({ content: { default: { body: 'Welcome {{name}}' } } }),
    });
    expect(response.status).toBe(200);
  });

  it('creates, reads by id and alias, replaces and deletes an automation template', async () => {
    const created = await put('crud-welcome', {
      alias: 'welcome',
      automation: { cancelation_token: 'u1', steps: welcomeSteps },
      triggers: ['track/Signed Up', 'identify', 'track/Signed Up'],
    });
    expect(created.status).toBe(200);
    const first = (await created.json()) as AutomationTemplateJson;
    expect(first).toEqual({
      id: 'crud-welcome',
      alias: 'welcome',
      name: 'crud-welcome',
      status: 'published',
      definition: { cancelation_token: 'u1', steps: welcomeSteps },
      triggers: ['identify', 'track/Signed Up'],
      created: expect.any(Number),
      updated: first.created,
    });
    expect(await read('crud-welcome')).toEqual(first);
    expect(await read('welcome')).toEqual(first);

    await new Promise((resolve) => setTimeout(resolve, 5));
    const replaced = await put('crud-welcome', {
      name: 'Welcome flow',
      status: 'draft',
      automation: { steps: [{ action: 'cancel', cancelation_token: 'u1' }] },
    });
    expect(replaced.status).toBe(200);
    const second = (await replaced.json()) as AutomationTemplateJson;
    expect(second).toEqual({
      id: 'crud-welcome',
      name: 'Welcome flow',
      status: 'draft',
      definition: { steps: [{ action: 'cancel', cancelation_token: 'u1' }] },
      triggers: [],
      created: first.created,
      updated: expect.any(Number),
    });
    expect(second.updated).toBeGreaterThan(first.updated);
    // The alias went with the replacement, and so did the triggers.
    expect((await api('/automations/templates/welcome')).status).toBe(404);
    expect(await triggersOf('track/Signed Up')).toEqual([]);

    const byAlias = await api('/automations/templates/welcome', { method: 'DELETE' });
    expect(byAlias.status).toBe(404);
    const deleted = await api('/automations/templates/crud-welcome', { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    const missing = await api('/automations/templates/crud-welcome');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      message: 'automation template crud-welcome not found',
      type: 'invalid_request_error',
    });
    expect((await api('/automations/templates/crud-welcome', { method: 'DELETE' })).status).toBe(404);
  });

  it('refuses an alias that already names another template with a 409 that is not to be retried', async () => {
    expect((await put('alias-owner', { alias: 'contested', automation: { steps: welcomeSteps } })).status).toBe(200);
    const refused = await put('alias-thief', { alias: 'contested', automation: { steps: welcomeSteps } });
    expect(refused.status).toBe(409);
    expect(refused.headers.get('x-should-retry')).toBe('false');
    expect(await refused.json()).toEqual({
      message: '"contested" already names automation template alias-owner',
      type: 'invalid_request_error',
    });
    expect((await api('/automations/templates/alias-thief')).status).toBe(404);
    expect(await read('contested')).toMatchObject({ id: 'alias-owner' });
  });

  it('maps triggers to templates, listed all together or for one event', async () => {
    const steps = [{ action: 'delay', duration: '1 minute' }];
    await put('trig-b', { automation: { steps }, triggers: ['track/Order Completed', 'group'] });
    await put('trig-a', { automation: { steps }, status: 'draft', triggers: ['track/Order Completed'] });
    await put('trig-c', { automation: { steps }, triggers: ['track/Order Refunded'] });

    expect(await triggersOf('track/Order Completed')).toEqual([
      { event: 'track/Order Completed', template_id: 'trig-a' },
      { event: 'track/Order Completed', template_id: 'trig-b' },
    ]);
    // `+` is a space in a query string, as a form would send it.
    expect((await (await api('/automations/triggers?event=track/Order+Refunded')).json()) as object).toEqual({
      items: [{ event: 'track/Order Refunded', template_id: 'trig-c' }],
    });
    expect(await triggersOf('track/Nothing')).toEqual([]);
    const all = await triggersOf();
    expect(all.filter((t) => t.template_id.startsWith('trig-'))).toEqual([
      { event: 'group', template_id: 'trig-b' },
      { event: 'track/Order Completed', template_id: 'trig-a' },
      { event: 'track/Order Completed', template_id: 'trig-b' },
      { event: 'track/Order Refunded', template_id: 'trig-c' },
    ]);

    await api('/automations/templates/trig-b', { method: 'DELETE' });
    expect(await triggersOf('track/Order Completed')).toEqual([
      { event: 'track/Order Completed', template_id: 'trig-a' },
    ]);
  });

  describe('refuses a bad definition with a 400 naming the problem, and stores nothing', () => {
    let guarded: AutomationTemplateJson;
    beforeAll(async () => {
      const response = await put('guarded', { automation: { steps: welcomeSteps }, triggers: ['track/Guarded'] });
      guarded = (await response.json()) as AutomationTemplateJson;
    });

    it.each([
      [
        'an unknown action',
        [{ action: 'delay', duration: 'PT1M' }, { action: 'send', template: 'AUTO_WELCOME' }, { action: 'explode' }],
        'steps[2]: unknown action "explode"',
      ],
      [
        'a template Herald does not have',
        [
          { action: 'delay', duration: 'PT1M' },
          { action: 'send', message: { to: { user_id: 'u1' }, template: 'NOPE' } },
        ],
        'steps[1]: template "NOPE" does not exist',
      ],
      [
        'an if that does not parse',
        [
          { action: 'send', template: 'AUTO_WELCOME' },
          { action: 'send', template: 'AUTO_WELCOME', if: 'data.total >' },
        ],
        /^steps\[1\]: if does not parse: /,
      ],
    ])('%s', async (_what, steps, message) => {
      for (const id of ['guarded', 'never-stored']) {
        const refused = await put(id, { automation: { steps }, triggers: ['track/Refused'] });
        expect(refused.status).toBe(400);
        expect(await refused.json()).toEqual({
          message: typeof message === 'string' ? message : expect.stringMatching(message),
          type: 'invalid_request_error',
        });
      }
      expect((await api('/automations/templates/never-stored')).status).toBe(404);
      expect(await read('guarded')).toEqual(guarded);
      expect(await triggersOf('track/Refused')).toEqual([]);
    });

    it.each([
      [
        'a trigger that is not an event',
        { automation: { steps: welcomeSteps }, triggers: ['Order Completed'] },
        /^triggers\.0: must be "track\/<Event Name>"/,
      ],
      [
        'a track trigger without a name',
        { automation: { steps: welcomeSteps }, triggers: ['identify', 'track/ '] },
        /^triggers\.1: /,
      ],
      ['no automation', { triggers: ['identify'] }, /^automation: is required/],
      ['no steps', { automation: { steps: [] } }, /^automation\.steps must be a non-empty array/],
      ['a misspelt field', { automation: { steps: welcomeSteps }, trigger: ['identify'] }, /^unknown field trigger/],
      ['an unknown status', { automation: { steps: welcomeSteps }, status: 'live' }, /^status: /],
      ['an id in the body that is not the path', { id: 'elsewhere', automation: { steps: welcomeSteps } }, /^id: /],
    ])('%s', async (_what, body, message) => {
      const refused = await put('never-stored', body);
      expect(refused.status).toBe(400);
      expect(await refused.json()).toEqual({ message: expect.stringMatching(message), type: 'invalid_request_error' });
      expect((await api('/automations/templates/never-stored')).status).toBe(404);
    });

    it('accepts a SendGrid dynamic template id without looking it up', async () => {
      const sendgridId = `d-${'0'.repeat(32)}`;
      const response = await put('sendgrid-send', {
        automation: { steps: [{ action: 'send', template: sendgridId }] },
      });
      expect(response.status).toBe(200);
    });
  });

  it("lists templates for the v7 SDK's automations.list: published by default, drafts by version, page by page", async () => {
    const ids = Array.from({ length: 23 }, (_, i) => `list-${String(i).padStart(2, '0')}`);
    for (const id of ids) {
      expect((await put(id, { name: `Flow ${id}`, automation: { steps: welcomeSteps } })).status).toBe(200);
    }
    await put('list-draft', { name: 'Draft flow', status: 'draft', automation: { steps: welcomeSteps } });

    const listed: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await v7().automations.list(cursor === undefined ? {} : { cursor });
      pages += 1;
      listed.push(...(page.templates ?? []).map((t) => t.id));
      for (const template of page.templates ?? []) expect(template.version).toBe('published');
      cursor = page.cursor;
    } while (cursor !== undefined);
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(listed.filter((id) => id.startsWith('list-'))).toEqual(ids);
    expect(new Set(listed).size).toBe(listed.length);

    const drafts = await v7().automations.list({ version: 'draft' });
    const draft = drafts.templates?.find((t) => t.id === 'list-draft');
    const stored = (await read('list-draft')) as AutomationTemplateJson;
    expect(draft).toEqual({
      id: 'list-draft',
      name: 'Draft flow',
      version: 'draft',
      createdAt: new Date(stored.created).toISOString(),
      updatedAt: new Date(stored.updated).toISOString(),
    });
    expect(drafts.templates?.every((t) => t.version === 'draft')).toBe(true);
    expect(drafts.cursor).toBeUndefined();

    const bad = await api('/automations?version=live');
    expect(bad.status).toBe(400);
    expect((await api('/automations?cursor=not-a-cursor')).status).toBe(400);
  });

  it('documents the endpoints in the API docs', async () => {
    const spec = (await (await fetch(`${stack().gatewayUrl}/docs-json`)).json()) as {
      paths: Record<string, Record<string, { summary?: string }>>;
    };
    expect(Object.keys(spec.paths['/automations'])).toEqual(['get']);
    expect(Object.keys(spec.paths['/automations/templates/{id}']).sort()).toEqual(['delete', 'get', 'put']);
    expect(spec.paths['/automations/triggers'].get.summary).toMatch(/^Herald: /);
  });

  it('takes the shipped example: its two templates first, then the order-completed automation', async () => {
    const automation = example('automations/order-completed.json');
    // Before its templates exist, the automation is refused, naming the first send.
    const early = await put(automation.id, automation);
    expect(early.status).toBe(400);
    expect(((await early.json()) as { message: string }).message).toBe(
      'steps[1]: template "ORDER_THANK_YOU" does not exist',
    );

    for (const path of ['templates/ORDER_THANK_YOU.json', 'templates/ORDER_SMS_CONFIRMATION.json']) {
      const template = example(path);
      const response = await api(`/templates/${template.id}`, { method: 'PUT', body: JSON.stringify(template) });
      expect(response.status).toBe(200);
    }
    const stored = await put(automation.id, automation);
    expect(stored.status).toBe(200);
    expect(await stored.json()).toMatchObject({
      id: 'order-completed',
      status: 'published',
      triggers: ['track/Order Completed'],
      definition: automation.automation as object,
    });
    expect(await triggersOf('track/Order Completed')).toContainEqual({
      event: 'track/Order Completed',
      template_id: 'order-completed',
    });
  });

  it("renders the shipped templates from a Segment Order Completed event's properties", async () => {
    for (const path of ['templates/ORDER_THANK_YOU.json', 'templates/ORDER_SMS_CONFIRMATION.json']) {
      const template = example(path);
      await api(`/templates/${template.id}`, { method: 'PUT', body: JSON.stringify(template) });
    }
    // Segment's Order Completed spec names these properties.
    const properties = {
      order_id: '50314b8e9bcf000000000000',
      total: 127.5,
      currency: 'EUR',
      products: [
        { product_id: '507f1f77bcf86cd799439011', name: 'Monopoly: 3rd Edition', quantity: 1, price: 19 },
        { product_id: '505bd76785ebb509fc183733', name: 'Uno Card Game', quantity: 2, price: 3 },
      ],
    };
    await sendThroughGateway(stack(), {
      to: { email: 'buyer@example.com' },
      template: 'ORDER_THANK_YOU',
      data: properties,
    });
    await sendThroughGateway(stack(), {
      to: { phone_number: '+15550001234' },
      template: 'ORDER_SMS_CONFIRMATION',
      data: properties,
    });

    const [email] = await eventually(async () => {
      const found = await stack().providers.messages({ provider: 'sendgrid', to: 'buyer@example.com' });
      return found.length ? found : undefined;
    });
    expect(email.subject).toBe('Thank you for your order 50314b8e9bcf000000000000');
    expect(email.html).toContain(
      '<tr><td>Monopoly: 3rd Edition</td><td align="right">1</td><td align="right">€19.00</td></tr>',
    );
    expect(email.html).toContain('<tr><td>Uno Card Game</td><td align="right">2</td><td align="right">€3.00</td></tr>');
    expect(email.html).toContain('Total: <strong>€127.50</strong>');
    expect(email.body).toContain('- 1 x Monopoly: 3rd Edition (€19.00)\n- 2 x Uno Card Game (€3.00)\n');
    const [sms] = await eventually(async () => {
      const found = await stack().providers.messages({ provider: 'twilio', to: '+15550001234' });
      return found.length ? found : undefined;
    });
    expect(sms.body).toBe('Thanks for your order 50314b8e9bcf000000000000! Total €127.50.');
  });
});
