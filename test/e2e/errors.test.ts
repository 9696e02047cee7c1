import Courier from '@trycourier/courier';
import { useStack } from '../helpers/stack';

/** Bad input gets a clear 4xx in Courier's `{message, type}` shape, and starts nothing. */
describe('gateway errors', () => {
  const stack = useStack();

  async function post(body: string, headers: Record<string, string> = {}) {
    const response = await fetch(`${stack().gatewayUrl}/send`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack().apiKey}`, 'content-type': 'application/json', ...headers },
      body,
    });
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      body: (await response.json()) as unknown,
    };
  }

  async function workflowCount(): Promise<number> {
    return (await stack().temporal.workflow.count("WorkflowType = 'sendMessage'")).count;
  }

  const valid = { message: { to: { phone_number: '+15551234567' }, content: { body: 'hi' } } };

  it('refuses requests without a valid API key (401, authentication_error)', async () => {
    for (const authorization of [undefined, 'Bearer wrong-key', `Basic ${stack().apiKey}`]) {
      const response = await fetch(`${stack().gatewayUrl}/send`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify(valid),
      });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({
        message: expect.stringContaining('Unauthorized'),
        type: 'authentication_error',
      });
    }
  });

  it('accepts every configured key', async () => {
    expect((await post(JSON.stringify(valid), { authorization: 'Bearer test-key-2' })).status).toBe(202);
  });

  it.each([
    ['malformed JSON', '{"message": ', /JSON/i],
    ['a body that is not an object', '[1,2]', /JSON object/],
    ['no message.to', JSON.stringify({ message: { content: { body: 'hi' } } }), /message\.to/],
    ['no content or template', JSON.stringify({ message: { to: { email: 'a@example.com' } } }), /content or template/],
    [
      'both content and template',
      JSON.stringify({ message: { to: { email: 'a@example.com' }, template: 'T', content: { body: 'x' } } }),
      /either content or template/,
    ],
    [
      'a recipient without any address',
      JSON.stringify({ message: { to: { locale: 'en' }, content: { body: 'x' } } }),
      /user_id, email, phone_number, firebaseToken or webhook/,
    ],
    [
      'an invalid email',
      JSON.stringify({ message: { to: { email: 'not-an-email' }, content: { body: 'x' } } }),
      /to\.email/,
    ],
    [
      'an unknown routing method',
      JSON.stringify({ message: { ...valid.message, routing: { method: 'random', channels: ['sms'] } } }),
      /routing\.method/,
    ],
    [
      'a template syntax error',
      JSON.stringify({ message: { ...valid.message, content: { body: 'Hi {{#if name}}' } } }),
      /content\.body is not a valid template/,
    ],
    [
      'several recipients (not supported yet)',
      JSON.stringify({ message: { ...valid.message, to: [{ email: 'a@example.com' }] } }),
      /not supported yet/,
    ],
  ])('answers 400 invalid_request_error for %s and starts no workflow', async (_case, body, message) => {
    const before = await workflowCount();
    const answer = await post(body);
    expect(answer.status).toBe(400);
    expect(answer.type).toBe('application/json');
    expect(answer.body).toEqual({ message: expect.stringMatching(message), type: 'invalid_request_error' });
    expect(await workflowCount()).toBe(before);
  });

  it('answers 404 for an unknown message, which the v7 SDK raises as NotFoundError', async () => {
    const client = new Courier({ apiKey: stack().apiKey, baseURL: stack().gatewayUrl, maxRetries: 0 });
    await expect(client.messages.retrieve('1-00000000-000000000000000000000000')).rejects.toBeInstanceOf(
      Courier.NotFoundError,
    );
  });

  it('serves /health without a key and the API docs', async () => {
    const health = await fetch(`${stack().gatewayUrl}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', temporal: 'ok' });
    const docs = await fetch(`${stack().gatewayUrl}/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger');
    const spec = (await (await fetch(`${stack().gatewayUrl}/docs-json`)).json()) as { paths: object };
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/send', '/messages/{id}', '/health']));
  });
});
