import type { Audience } from '../domain/audience';
import { derivedMessageId } from './derived-ids';
import { messageIdentity, type SendMessageInput } from '../domain/message';
import type { MessageLog } from './ports';

/** Who is in an audience, read a page at a time in ascending user id order. */
export interface AudienceDirectory {
  recipientsPage(audience: Audience, after: string | undefined, limit: number): Promise<string[]>;
}

export interface AudienceRecipient {
  userId: string;
  /** The recipient's message id (and `sendMessage` workflow id), derived from the request and the user. */
  messageId: string;
}

export interface RecipientsPageRequest {
  requestId: string;
  audience: Audience;
  message: Omit<SendMessageInput, 'messageId'>;
  after?: string;
  limit: number;
}

export interface AudienceDeps {
  audiences: AudienceDirectory;
  messageLog: Pick<MessageLog, 'recordEnqueued'>;
}

/** The same request and user always give the same id, so a repeated page names the same messages. */
export function fanOutMessageId(requestId: string, userId: string, enqueuedAt: number): string {
  return derivedMessageId(`${requestId}\n${userId}`, enqueuedAt);
}

export function createAudienceActivities({ audiences, messageLog }: AudienceDeps) {
  return {
    /**
     * The next page of an audience, each recipient with its message id, recorded ENQUEUED so `GET /messages` shows
     * the whole fan-out before delivery reaches everyone. Recording twice is harmless (first write wins).
     */
    async nextRecipients(request: RecipientsPageRequest): Promise<AudienceRecipient[]> {
      const userIds = await audiences.recipientsPage(request.audience, request.after, request.limit);
      const recipients = userIds.map((userId) => ({
        userId,
        messageId: fanOutMessageId(request.requestId, userId, request.message.enqueuedAt),
      }));
      for (const recipient of recipients) {
        await messageLog.recordEnqueued(
          messageIdentity({
            ...request.message,
            messageId: recipient.messageId,
            to: { ...request.message.to, user_id: recipient.userId },
          }),
        );
      }
      return recipients;
    },
  };
}
