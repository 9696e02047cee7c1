import type { Channel, ProviderKey } from './channels';

/**
 * `message.timeout` (api-contract §3.8): how long to keep trying one provider, one channel, and the whole message.
 * Values are milliseconds; `channel` and `provider` may be one number for all or a map by name.
 */
export interface MessageTimeouts {
  message?: number;
  channel?: number | Record<string, number>;
  provider?: number | Record<string, number>;
}

/** Courier's defaults: 5 minutes per provider, 30 minutes per channel, 72 hours per message. */
export const defaultTimeouts = { providerMs: 5 * 60_000, channelMs: 30 * 60_000, messageMs: 72 * 3_600_000 } as const;

export interface Deadlines {
  /** How long one provider may be retried before routing moves on. */
  providerMs(provider: ProviderKey): number;
  /** When a channel started at `now` must give up: its own timeout or the message's, whichever comes first. */
  channelEndsAt(channel: Channel, now: number): number;
}

function pick(setting: number | Record<string, number> | undefined, name: string): number | undefined {
  return typeof setting === 'number' ? setting : setting?.[name];
}

/** Pure: `startedAt` (workflow time) anchors the message timeout, so replays compute the same deadlines. */
export function deadlines(timeout: MessageTimeouts | undefined, startedAt: number): Deadlines {
  const messageEnds = startedAt + (timeout?.message ?? defaultTimeouts.messageMs);
  return {
    providerMs: (provider) => pick(timeout?.provider, provider) ?? defaultTimeouts.providerMs,
    channelEndsAt: (channel, now) =>
      Math.min(messageEnds, now + (pick(timeout?.channel, channel) ?? defaultTimeouts.channelMs)),
  };
}
