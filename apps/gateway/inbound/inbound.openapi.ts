import { z } from 'zod';
import { courierInboundBodySchema } from './inbound.schema';

/** OpenAPI paths of the inbound events: Segment (both ways) and `/inbound/courier`, merged into /docs. */
export function inboundPaths(error: object): Record<string, unknown> {
  const json = (schema: object) => ({ 'application/json': { schema } });
  const accepted = {
    description: 'Accepted',
    content: json({ type: 'object', required: ['messageId'], properties: { messageId: { type: 'string' } } }),
  };
  const segmentEvent = {
    type: 'object',
    required: ['type', 'messageId'],
    description:
      'A Segment event (Segment spec). Every event needs `messageId` and `userId` or `anonymousId`; a track needs ' +
      '`event`, a group `groupId`. The whole event is what started automations see as `refs.data`.',
    properties: {
      type: { type: 'string', enum: ['track', 'identify', 'group'] },
      messageId: { type: 'string', maxLength: 512, description: 'The dedupe key: a redelivery changes nothing.' },
      userId: { type: 'string' },
      anonymousId: { type: 'string', description: 'Stands in for `userId` when there is none.' },
      event: { type: 'string', description: 'track: starts automations triggered by `track/<event>`.' },
      properties: { type: 'object', additionalProperties: true },
      traits: {
        type: 'object',
        additionalProperties: true,
        description:
          'identify: merged into the profile, every trait under its own name, plus `phone` → `phone_number`, ' +
          '`firstName`/`lastName` → `given_name`/`family_name` (and `name` when absent); `address` is rewritten to ' +
          "Courier's shape (`street_address`, `locality`, `region`, `postal_code`, `country`). group: `name` names " +
          'a tenant the call creates, the other traits become its `properties`.',
      },
      groupId: { type: 'string', description: 'group: the tenant the user joins (created when missing).' },
      timestamp: { type: 'string', format: 'date-time' },
      context: { type: 'object', additionalProperties: true },
    },
    additionalProperties: true,
  };
  const segmentOk = {
    description: 'Accepted',
    content: json({ type: 'object', properties: { success: { const: true } } }),
  };
  const segmentError = {
    description: 'Refused',
    content: json({
      type: 'object',
      required: ['success', 'message'],
      properties: { success: { const: false }, message: { type: 'string' } },
    }),
  };
  const trackingCall = (type: string) => ({
    post: {
      summary: `Segment Tracking API: one ${type} call`,
      description:
        'Authenticated by a Segment write key (HERALD_SEGMENT_WRITE_KEYS) as the Basic auth username with an empty ' +
        'password, or as `writeKey` in the body. The type comes from the path. As Segment does, an invalid event ' +
        'is dropped and still answered 200.',
      security: [],
      requestBody: { required: true, content: json(segmentEvent) },
      responses: { '200': segmentOk, '400': segmentError, '401': segmentError },
    },
  });

  return {
    '/inbound/segment': {
      post: {
        summary: 'Segment "Courier (Actions)" destination: one raw Segment event (track, identify or group)',
        description:
          'identify merges the traits into the profile of `userId` (else `anonymousId`); group adds the user to ' +
          'the tenant `groupId`; every event starts the automations triggered by `track/<event>`, `identify` or ' +
          '`group` with the whole event as `refs.data`. The same `messageId` again is answered 202 and changes ' +
          'nothing.',
        requestBody: { required: true, content: json(segmentEvent) },
        responses: { '202': accepted, '400': error, '401': error },
      },
    },
    '/debug': {
      post: {
        summary: 'Segment destination credential test: 200 when the API key is valid',
        responses: {
          '200': {
            description: 'The key is valid',
            content: json({ type: 'object', properties: { status: { const: 'SUCCESS' } } }),
          },
          '401': error,
        },
      },
    },
    '/inbound/courier': {
      post: {
        summary: 'Courier inbound track event: starts the automations triggered by `track/<event>`',
        description:
          'The whole body is what started automations see as `refs.data`, with `userId` as the recipient. A ' +
          '`messageId` is taken once: a repeat is answered 409 with `x-should-retry: false`.',
        requestBody: {
          required: true,
          content: json(z.toJSONSchema(courierInboundBodySchema, { io: 'input', unrepresentable: 'any' })),
        },
        responses: { '202': accepted, '400': error, '401': error, '409': error },
      },
    },
    '/v1/batch': {
      post: {
        summary: "Segment Tracking API batch, as `@segment/analytics-node` sends it (`host` = Herald's URL)",
        description:
          'Authenticated as the single calls. `{batch: [...], context?, integrations?, sentAt?}`; the envelope ' +
          '`context` and `integrations` apply to every event under its own. Events are taken in order; invalid ones ' +
          'and types other than track, identify and group are dropped, the rest taken.',
        security: [],
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            required: ['batch'],
            properties: {
              batch: { type: 'array', items: segmentEvent },
              context: { type: 'object', additionalProperties: true },
              integrations: { type: 'object', additionalProperties: true },
              writeKey: { type: 'string' },
              sentAt: { type: 'string', format: 'date-time' },
            },
          }),
        },
        responses: { '200': segmentOk, '400': segmentError, '401': segmentError },
      },
    },
    '/v1/track': trackingCall('track'),
    '/v1/identify': trackingCall('identify'),
    '/v1/group': trackingCall('group'),
    ...Object.fromEntries(
      ['page', 'screen', 'alias'].map((type) => [
        `/v1/${type}`,
        {
          post: {
            summary: `Segment Tracking API: ${type} calls are accepted (write key checked) and dropped`,
            security: [],
            responses: { '200': segmentOk, '401': segmentError },
          },
        },
      ]),
    ),
  };
}
