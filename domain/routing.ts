import { channelOfProvider, channelProviders, isChannel, type Channel, type ProviderKey } from './channels';
import { conditionHolds as holds } from './expression';
import type { ChannelConfig, ProviderConfig, Recipient, RoutingNode } from './message';
import { MessageReason } from './status';

/** A channel to try, with its providers in failover order (`single`) or all at once (`all`). */
export interface ChannelStep {
  kind: 'channel';
  channel: Channel;
  providers: ProviderKey[];
  /** `channels.<name>.routing_method`; absent means `single`. */
  providerMethod?: 'all';
}

/** A nested routing node that survived planning (at least one viable entry). */
export interface GroupStep {
  kind: 'group';
  method: 'single' | 'all';
  steps: PlanStep[];
}

export type PlanStep = ChannelStep | GroupStep;

export type RoutingPlan =
  | { routable: true; method: 'single' | 'all'; steps: PlanStep[] }
  | { routable: false; reason: typeof MessageReason.NO_CHANNELS | typeof MessageReason.NO_PROVIDERS; detail: string };

/** Used when a send names no routing: email first, then SMS, as most products do for transactional mail. */
export const defaultRouting: RoutingNode = { method: 'single', channels: ['email', 'sms'] };

/** The profile key holding a recipient's address on each channel (api-contract §5.3). */
const contactField: Record<Channel, keyof Recipient> = {
  sms: 'phone_number',
  email: 'email',
  push: 'firebaseToken',
  webhook: 'webhook',
};

/**
 * The recipient's addresses for a channel: one for email and SMS, possibly several device tokens for push, the
 * `webhook.url` for the webhook channel.
 */
export function contactsFor(channel: Channel, recipient: Recipient): string[] {
  const field = recipient[contactField[channel]];
  const value = channel === 'webhook' ? (field as { url?: unknown } | undefined)?.url : field;
  const values = Array.isArray(value) ? value : [value];
  return values.filter((v): v is string => typeof v === 'string' && v.trim() !== '');
}

export function hasContactFor(channel: Channel, recipient: Recipient): boolean {
  return contactsFor(channel, recipient).length > 0;
}

/** Courier documents `single` and `all`; one docs revision says `priority`, which we treat as `single`. */
export function normaliseMethod(method: string): 'single' | 'all' {
  return method === 'all' ? 'all' : 'single';
}

/** What the send says about channels and providers, and what their `if` conditions are evaluated over. */
export interface RoutingOptions {
  channels?: Record<string, ChannelConfig>;
  providers?: Record<string, ProviderConfig>;
  data?: Record<string, unknown>;
  /**
   * Channels this message may use at all, decided before routing: a user's custom routing for the topic, the
   * channels a template has content for. Absent means any.
   */
  allowedChannels?: readonly string[];
}

interface PlanContext {
  recipient: Recipient;
  options: RoutingOptions;
  enabledProviders: ReadonlySet<ProviderKey>;
  /** Set when some entry had contact data but no enabled provider, to tell NO_PROVIDERS from NO_CHANNELS. */
  lackedProvider: boolean;
}

/**
 * Turns a routing tree into the steps the workflow executes, dropping entries that cannot work for this
 * recipient (no contact data, unknown channel, no enabled provider). Pure, so it is replay-safe.
 */
export function planRouting(
  routing: RoutingNode,
  recipient: Recipient,
  enabledProviders: readonly ProviderKey[] = allProviders(),
  options: RoutingOptions = {},
): RoutingPlan {
  const context: PlanContext = {
    recipient,
    options,
    enabledProviders: new Set(enabledProviders),
    lackedProvider: false,
  };
  const steps = planEntries(routing.channels, context);
  if (steps.length > 0) return { routable: true, method: normaliseMethod(routing.method), steps };
  return context.lackedProvider
    ? {
        routable: false,
        reason: MessageReason.NO_PROVIDERS,
        detail: 'no configured provider serves the routed channels',
      }
    : {
        routable: false,
        reason: MessageReason.NO_CHANNELS,
        detail: 'the recipient has no contact data for any routed channel',
      };
}

function planEntries(entries: ReadonlyArray<string | RoutingNode>, context: PlanContext): PlanStep[] {
  const steps: PlanStep[] = [];
  for (const entry of entries) {
    const step = typeof entry === 'string' ? planName(entry, context) : planGroup(entry, context);
    if (step) steps.push(step);
  }
  return steps;
}

function planGroup(node: RoutingNode, context: PlanContext): PlanStep | undefined {
  const steps = planEntries(node.channels, context);
  if (steps.length === 0) return undefined;
  // A group with one entry is that entry; keeping the tree flat keeps workflow histories short and readable.
  return steps.length === 1 ? steps[0] : { kind: 'group', method: normaliseMethod(node.method), steps };
}

/**
 * An entry names a channel (`sms`) or a provider (`twilio`); a provider pins the channel to that provider.
 * `channels.<name>.providers` orders and narrows a channel's providers; `if` conditions on the channel or a
 * provider drop them when false.
 */
function planName(name: string, context: PlanContext): ChannelStep | undefined {
  const channel = isChannel(name) ? name : channelOfProvider(name);
  if (!channel || !hasContactFor(channel, context.recipient)) return undefined;
  if (context.options.allowedChannels && !context.options.allowedChannels.includes(channel)) return undefined;
  const config = context.options.channels?.[channel];
  if (!conditionHolds(config?.if, context)) return undefined;
  const known = channelProviders[channel] as readonly string[];
  const candidates = isChannel(name) ? (config?.providers?.filter((p) => known.includes(p)) ?? known) : [name];
  const providers = (candidates as ProviderKey[]).filter(
    (provider) =>
      context.enabledProviders.has(provider) && conditionHolds(context.options.providers?.[provider]?.if, context),
  );
  if (providers.length === 0) {
    context.lackedProvider = true;
    return undefined;
  }
  return config?.routing_method === 'all' && providers.length > 1
    ? { kind: 'channel', channel, providers, providerMethod: 'all' }
    : { kind: 'channel', channel, providers };
}

/** Conditions see `data` and `profile` (the recipient), as in Courier. One that cannot be evaluated is false. */
function conditionHolds(condition: string | undefined, context: PlanContext): boolean {
  return holds(condition, { data: context.options.data ?? {}, profile: context.recipient });
}

function allProviders(): ProviderKey[] {
  return Object.values(channelProviders).flat() as ProviderKey[];
}
