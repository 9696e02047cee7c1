import type { RoutingNode } from './message';

/**
 * A Herald template: what a message says on each channel, written in Handlebars. A channel without its own block
 * uses `default`; a routed channel with neither is skipped for that message (its provider is told the template
 * has nothing for it, and routing moves on).
 */
export interface TemplateContent {
  default?: { title?: string; body: string };
  email?: { subject: string; html?: string; text?: string };
  sms?: { body: string };
  push?: { title?: string; body: string };
  inbox?: { title?: string; body: string; action_url?: string };
}

export interface Template {
  /** Also what `message.template` names. */
  id: string;
  name: string;
  /** Subscription topic whose preferences decide whether a user gets this template's messages. */
  topic_id?: string;
  content: TemplateContent;
  /** Routing for sends of this template that give none. */
  routing?: RoutingNode;
  /** Where an imported template came from, e.g. `sendgrid:d-…`. */
  source?: string;
  /** Epoch ms. */
  created: number;
  updated: number;
}

/** The channels a template can carry content for, in the order the API documents them. */
export const TEMPLATE_CHANNELS = ['email', 'sms', 'push', 'inbox'] as const;
export type TemplateChannel = (typeof TEMPLATE_CHANNELS)[number];

/** A SendGrid dynamic template id (`d-` + 32 hex), which a send may name instead of a Herald template. */
export function isSendgridTemplateId(template: string): boolean {
  return /^d-[0-9a-f]{32}$/i.test(template);
}
