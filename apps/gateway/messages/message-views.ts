import type { AttemptOutput, HistoryEvent, MessagePage, MessageSummary } from '../../../db/message-log';
import { encodeCursor } from './message-query';

/** Response shapes of the messages API (api-contract §4.1, §4.4, §4.5). */

export interface MessageListView {
  /** `cursor` only when `more` is true (api-contract §17.8). */
  paging: { cursor?: string; more: boolean };
  results: MessageSummary[];
}

export interface MessageOutputView {
  results: Array<{
    channel: string;
    channel_id: string;
    content: { html: string; title: string; body: string; subject: string; text: string; blocks: never[] };
  }>;
}

export function messageListView(page: MessagePage): MessageListView {
  const last = page.messages[page.messages.length - 1];
  return {
    paging: page.more && last ? { cursor: encodeCursor(last), more: true } : { more: false },
    results: page.messages,
  };
}

export function historyView(events: HistoryEvent[]): { results: HistoryEvent[] } {
  return { results: events };
}

/**
 * One result per attempt that rendered (its latest output). Herald's channels have no template block ids, so
 * `channel_id` is the channel key, as history's `channel.id` is. Every content field is a string, empty when the
 * channel has no such part (v7 types them all as required); Herald renders no blocks.
 */
export function outputView(outputs: AttemptOutput[]): MessageOutputView {
  return {
    results: outputs.map(({ channel, output }) => ({
      channel,
      channel_id: channel,
      content: {
        html: output.html ?? '',
        title: output.title ?? '',
        body: output.body ?? '',
        subject: output.subject ?? '',
        text: output.text ?? '',
        blocks: [],
      },
    })),
  };
}
