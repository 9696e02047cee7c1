import { createHash } from 'node:crypto';
import { formatMessageId } from '../domain/ids';

/**
 * A message id derived from what the message is for (`<request>\n<user>` for a fan-out recipient, `<run>\nstep:<n>`
 * for an automation step) and a workflow-time timestamp: the same thing always gets the same id, so a retried
 * activity or a replayed workflow names the same message, which Temporal then refuses to start twice.
 */
export function derivedMessageId(purpose: string, at: number): string {
  const digest = createHash('sha256').update(purpose).digest('hex');
  return formatMessageId(at, digest.slice(0, 24));
}
