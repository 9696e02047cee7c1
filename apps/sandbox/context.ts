import type { Logger } from 'pino';
import type { FaultQueue } from './faults';
import type { Scheduler } from './scheduler';
import type { SandboxStore } from './store';

export interface TwilioTiming {
  sentAfterMs: number;
  deliveredAfterMs: number;
}

export interface SandboxConfig {
  twilio: { accountSid: string; authToken: string };
  /** Sender reported in callbacks for Messaging Service sends, where Twilio picks the number itself. */
  twilioDefaultFrom: string;
  sendgridApiKey: string;
  segmentWriteKey: string;
  twilioTiming: TwilioTiming;
  /** Where SendGrid Event Webhook batches go (Herald's `/webhooks/sendgrid`); unset = no events are sent. */
  sendgridEventWebhookUrl?: string;
}

/** Everything the route modules share; built once per sandbox so two sandboxes never see each other. */
export interface SandboxContext {
  config: SandboxConfig;
  store: SandboxStore;
  faults: FaultQueue;
  /** Status callbacks still to fire; cancelled on reset and on close. */
  callbacks: Scheduler;
  /** Requests held by `timeout` faults; released on close so the server can stop. */
  held: Scheduler;
  logger: Logger;
  now: () => number;
}
