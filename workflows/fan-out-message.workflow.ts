import { continueAsNew, defineQuery, proxyActivities, setHandler, startChild } from '@temporalio/workflow';
import type { Activities, AudienceRecipient } from '../activities';
import type { FanOutInput } from '../domain/audience';
import { directoryPage } from './activity-profiles';
import { sendMessage } from './send-message.workflow';
import { startOnce } from './start-once';

const { nextRecipients } = proxyActivities<Activities>(directoryPage);

export interface FanOutProgress {
  /** Recipients whose `sendMessage` has been started, across every run of this fan-out. */
  started: number;
  done: boolean;
}
export const fanOutProgressQuery = defineQuery<FanOutProgress>('fanOutProgress');

export interface FanOutResult {
  started: number;
}

/** Recipients read and started per page; one page is one activity plus one child start per recipient. */
export const FAN_OUT_PAGE_SIZE = 100;
/** Pages per run before continuing as new, which keeps each run's history well under Temporal's limits. */
const PAGES_PER_RUN = 5;

/**
 * Sends one message to every member of a list, list pattern or tenant: pages through the recipients in user id
 * order and starts one `sendMessage` child per recipient, each with an id derived from the request and the user.
 * A worker that dies mid-page replays this history and starts only the children not yet recorded, and a child id
 * already taken is a recipient already served, so no one is skipped or sent twice.
 */
export async function fanOutMessage(input: FanOutInput): Promise<FanOutResult> {
  let started = input.started ?? 0;
  let done = false;
  let after = input.after;
  const pageSize = input.pageSize ?? FAN_OUT_PAGE_SIZE;
  setHandler(fanOutProgressQuery, () => ({ started, done }));

  for (let page = 0; page < PAGES_PER_RUN; page++) {
    const recipients = await nextRecipients({
      requestId: input.requestId,
      audience: input.audience,
      message: input.message,
      after,
      limit: pageSize,
    });
    await Promise.all(recipients.map((recipient) => startRecipient(input, recipient)));
    started += recipients.length;
    if (recipients.length < pageSize) {
      done = true;
      return { started };
    }
    after = recipients[recipients.length - 1].userId;
  }
  return continueAsNew<typeof fanOutMessage>({ ...input, after, started });
}

async function startRecipient(input: FanOutInput, recipient: AudienceRecipient): Promise<void> {
  await startOnce(() =>
    startChild(sendMessage, {
      workflowId: recipient.messageId,
      args: [
        {
          ...input.message,
          messageId: recipient.messageId,
          to: { ...input.message.to, user_id: recipient.userId },
          resolve: true,
        },
      ],
      // The fan-out continues as new and finishes long before its messages do; they must outlive it.
      parentClosePolicy: 'ABANDON',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      staticSummary: `${input.message.template ?? 'inline content'} to ${recipient.userId}`,
    }),
  );
}
