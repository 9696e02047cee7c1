/** Channels and the providers that serve them. One table, so the planner, activities and gateway agree. */
export const channelProviders = {
  sms: ['twilio'],
  email: ['sendgrid', 'smtp'],
  push: ['firebase-fcm'],
  webhook: ['webhook'],
} as const;

export type Channel = keyof typeof channelProviders;
export type ProviderKey = (typeof channelProviders)[Channel][number];

export const channels = Object.keys(channelProviders) as Channel[];

export function isChannel(name: string): name is Channel {
  return Object.prototype.hasOwnProperty.call(channelProviders, name);
}

export function channelOfProvider(name: string): Channel | undefined {
  return channels.find((channel) => (channelProviders[channel] as readonly string[]).includes(name));
}
