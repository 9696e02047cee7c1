/** OpenAPI paths of Courier's `/users/{user_id}/tokens`, merged into the document served at /docs. */
export function deviceTokenPaths(error: object): Record<string, unknown> {
  const json = (schema: object) => ({ 'application/json': { schema } });
  const userToken = {
    type: 'object',
    required: ['token', 'provider_key'],
    properties: {
      token: { type: 'string' },
      provider_key: { type: 'string', enum: ['firebase-fcm', 'apn', 'expo', 'onesignal'] },
      status: { type: 'string', enum: ['active', 'unknown', 'failed', 'revoked'] },
      status_reason: { type: 'string' },
      expiry_date: {
        oneOf: [{ type: 'string', format: 'date-time' }, { type: 'boolean' }],
        description: 'Sends skip the token after this date; false: never expires. Absent on write: two months.',
      },
      device: { type: 'object', additionalProperties: true },
      properties: {},
      tracking: { type: 'object', additionalProperties: true },
    },
  };
  const tokenBody = {
    ...userToken,
    required: ['provider_key'],
    description: 'A UserToken; `token` may be left out (the path names it) and must match it when given.',
  };
  const userParameter = { name: 'user_id', in: 'path', required: true, schema: { type: 'string' } };
  const tokenParameter = { name: 'token', in: 'path', required: true, schema: { type: 'string' } };
  const done = { description: 'Done' };

  return {
    '/users/{user_id}/tokens': {
      parameters: [userParameter],
      get: {
        summary: "The user's device tokens, oldest first",
        description:
          '`{tokens: [...]}`, as the v7 and v5 SDKs read it; requests carrying `X-Fern-Language` (the v6 SDK) get ' +
          'the bare array that SDK is typed for.',
        responses: {
          '200': {
            description: 'The tokens',
            content: json({
              oneOf: [
                { type: 'object', required: ['tokens'], properties: { tokens: { type: 'array', items: userToken } } },
                { type: 'array', items: userToken },
              ],
            }),
          },
          '400': error,
        },
      },
      put: {
        summary: "Replace the user's tokens with these (without a body: nothing changes)",
        requestBody: {
          required: false,
          content: json({
            type: 'object',
            required: ['tokens'],
            properties: { tokens: { type: 'array', items: { ...userToken } } },
          }),
        },
        responses: { '204': done, '400': error },
      },
    },
    '/users/{user_id}/tokens/{token}': {
      parameters: [userParameter, tokenParameter],
      get: {
        summary: 'One device token, with its status',
        responses: { '200': { description: 'The token', content: json(userToken) }, '404': error },
      },
      put: {
        summary: 'Create or replace one device token',
        requestBody: { required: true, content: json(tokenBody) },
        responses: { '204': done, '400': error },
      },
      patch: {
        summary: 'Apply JSON Patch operations to the token as GET shows it, all or nothing',
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            required: ['patch'],
            properties: {
              patch: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['op', 'path'],
                  properties: { op: { type: 'string' }, path: { type: 'string' }, from: { type: 'string' }, value: {} },
                },
              },
            },
          }),
        },
        responses: { '204': done, '400': error, '404': error },
      },
      delete: {
        summary: 'Delete one device token (idempotent)',
        responses: { '204': { description: 'Deleted, or there was none' } },
      },
    },
  };
}
