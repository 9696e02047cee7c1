/**
 * Subscription-topic preferences (api-contract §6): what a user chose, what their tenant and the topic default to,
 * and what that means for one send. Pure, so the workflow sandbox can import it.
 */

export const PREFERENCE_STATUSES = ['OPTED_IN', 'OPTED_OUT', 'REQUIRED'] as const;
export type PreferenceStatus = (typeof PREFERENCE_STATUSES)[number];

/** The channel classes a user may restrict a topic to (Courier's `ChannelClassification`). */
export const PREFERENCE_CHANNELS = ['direct_message', 'email', 'push', 'sms', 'webhook', 'inbox'] as const;
export type PreferenceChannel = (typeof PREFERENCE_CHANNELS)[number];

export function isPreferenceStatus(value: unknown): value is PreferenceStatus {
  return (PREFERENCE_STATUSES as readonly unknown[]).includes(value);
}

/** A status with the channels it limits the topic to; `custom_routing` is given only when custom routing is on. */
export interface PreferenceSetting {
  status: PreferenceStatus;
  custom_routing?: string[];
}

/** Everything the decision needs about one user and one topic, read in one go at send time. */
export interface PreferenceInputs {
  /** The topic's own default; absent when the topic is not configured. */
  topicDefault?: PreferenceStatus;
  /** The tenant's default for the topic, when the send has a tenant and it sets one. */
  tenantDefault?: PreferenceSetting;
  /** The user's own choice, when they made one. */
  user?: PreferenceSetting;
}

export type PreferenceDecision =
  { send: true; channels?: string[] } | { send: false; reason: 'UNSUBSCRIBED' | 'OPT_IN_REQUIRED' };

/** What a user sees for a topic (`GET /users/{id}/preferences`): the defaults folded in, as a send would apply them. */
export interface PreferenceView {
  status: PreferenceStatus;
  default_status: PreferenceStatus;
  /** The channels the topic is limited to; absent when any channel may be used. */
  custom_routing?: string[];
}

/**
 * The status a user has before choosing. A tenant may override the topic's default, except that a REQUIRED topic
 * stays required for everyone: it exists for messages (password resets, receipts) nobody may turn off.
 */
export function defaultStatus(inputs: PreferenceInputs): PreferenceStatus {
  if (inputs.topicDefault === 'REQUIRED') return 'REQUIRED';
  return inputs.tenantDefault?.status ?? inputs.topicDefault ?? 'OPTED_IN';
}

/**
 * The status that applies. A REQUIRED default — the topic's, or a tenant's for its own users — overrides an
 * opt-out; otherwise the user's explicit choice wins over any default.
 */
export function effectiveStatus(inputs: PreferenceInputs): PreferenceStatus {
  const fallback = defaultStatus(inputs);
  if (fallback === 'REQUIRED') return 'REQUIRED';
  return inputs.user?.status ?? fallback;
}

/**
 * The channels the topic is limited to: the user's custom routing, else the tenant default's. An empty list counts
 * as no custom routing, so that a stray `[]` can never silence a topic; the API refuses it from users.
 */
export function customRouting(inputs: PreferenceInputs): string[] | undefined {
  for (const routing of [inputs.user?.custom_routing, inputs.tenantDefault?.custom_routing]) {
    if (routing && routing.length > 0) return [...routing];
  }
  return undefined;
}

export function preferenceView(inputs: PreferenceInputs): PreferenceView {
  const channels = customRouting(inputs);
  return {
    status: effectiveStatus(inputs),
    default_status: defaultStatus(inputs),
    ...(channels ? { custom_routing: channels } : {}),
  };
}

/** Whether a message on the topic goes to the user, and through which channels. */
export function decidePreference(inputs: PreferenceInputs): PreferenceDecision {
  if (effectiveStatus(inputs) === 'OPTED_OUT') {
    // Only the user's own opt-out is an unsubscription; an opted-out default means the topic waits for an opt-in.
    return { send: false, reason: inputs.user?.status === 'OPTED_OUT' ? 'UNSUBSCRIBED' : 'OPT_IN_REQUIRED' };
  }
  const channels = customRouting(inputs);
  return channels ? { send: true, channels } : { send: true };
}
