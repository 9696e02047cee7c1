import { randomBytes } from 'node:crypto';
import { formatMessageId } from '../../domain/ids';
import type { SendMessageInput } from '../../domain/message';

export function newMessageId(): string {
  return formatMessageId(Date.now(), randomBytes(12).toString('hex'));
}

/** A valid workflow input (the seed's SMS example) with whatever the test changes. */
export function sendInput(overrides: Partial<SendMessageInput> = {}): SendMessageInput {
  return {
    messageId: newMessageId(),
    enqueuedAt: Date.now(),
    to: { user_id: 'user-1', phone_number: '+15551234567', email: 'ada@example.com' },
    content: { title: 'Order {{order_id}}', body: 'Your order {{order_id}} has shipped: {{tracking_url}}' },
    data: { order_id: 'A-1001', tracking_url: 'https://track.example.com/A-1001' },
    routing: { method: 'single', channels: ['sms'] },
    providers: {},
    metadata: {},
    ...overrides,
  };
}
