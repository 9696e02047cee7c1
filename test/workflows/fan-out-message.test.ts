import { fanOutMessageId } from '../../activities/audience.activities';
import { createListStore } from '../../db/lists';
import { createProfileStore } from '../../db/profiles';
import type { FanOutInput } from '../../domain/audience';
import { fanOutMessage, fanOutProgressQuery } from '../../workflows/fan-out-message.workflow';
import { newMessageId, sendInput } from '../helpers/builders';
import { recordHistory } from '../helpers/histories';
import { waitClosed } from '../helpers/temporal';
import { useWorkflowTestbed } from '../helpers/workflow-testbed';

/** fanOutMessage on the time-skipping server with the real activities, database and sandbox. */
describe('fanOutMessage', () => {
  const bed = useWorkflowTestbed();

  it('starts one message per subscriber across pages and continue-as-new, each to its stored profile', async () => {
    const profiles = createProfileStore(bed.deps.database);
    const lists = createListStore(bed.deps.database);
    const users = Array.from({ length: 13 }, (_, i) => `fan-${String(i).padStart(2, '0')}`);
    for (const [i, user] of users.entries()) await profiles.merge(user, { phone_number: `+1555300${1000 + i}` });
    await lists.replaceSubscribers(
      'fans.all',
      users.map((userId) => ({ userId })),
    );
    // Someone on another list is not included; a user on two matching lists is counted once (pattern).
    await lists.subscribe('fans.vip', users[0]);
    await lists.subscribe('others', 'outsider');

    const { messageId: _unused, ...message } = sendInput({ to: {}, content: { body: 'Hi {{profile.phone_number}}' } });
    const requestId = newMessageId();
    const input: FanOutInput = {
      requestId,
      audience: { list_pattern: 'fans.*' },
      message: { ...message, resolve: true },
      pageSize: 2,
    };
    const { result, firstRunId } = await bed.withWorker(async (taskQueue) => {
      const handle = await bed.env.client.workflow.start(fanOutMessage, {
        workflowId: requestId,
        taskQueue,
        args: [input],
      });
      const latest = bed.env.client.workflow.getHandle(requestId);
      expect(await waitClosed(latest)).toBe('COMPLETED');
      const outcome = await latest.query(fanOutProgressQuery);
      // Let the worker hand every message to Twilio, then end them so none holds the test server's clock.
      for (let i = 0; i < 200 && (await bed.providers.messages()).length < users.length; i++) await pause(50);
      await Promise.all(
        users.map((userId) =>
          bed.env.client.workflow
            .getHandle(fanOutMessageId(requestId, userId, input.message.enqueuedAt))
            .terminate('test over')
            .catch(() => undefined),
        ),
      );
      return { result: outcome, firstRunId: handle.firstExecutionRunId };
    });

    expect(result).toEqual({ started: 13, done: true });
    const sms = await bed.providers.messages({ provider: 'twilio' });
    expect(sms.map((m) => m.to).sort()).toEqual(users.map((_, i) => `+1555300${1000 + i}`).sort());
    expect(new Set(sms.map((m) => m.body))).toEqual(new Set(sms.map((m) => `Hi ${m.to}`)));

    // 13 recipients in pages of 2 is 7 pages: the first run stops after 5 and continues as new.
    const last = await bed.env.client.workflow.getHandle(requestId).describe();
    expect(last.runId).not.toBe(firstRunId);
    recordHistory(bed.env.address, requestId, 'fan-out-message-first-run', firstRunId);
    recordHistory(bed.env.address, requestId, 'fan-out-message-last-run', last.runId);
  });
});

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));
