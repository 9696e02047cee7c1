/** An inbound event Herald has accepted (Segment, `POST /inbound/courier`), ready to start automations. */
export interface InboundEvent {
  source: 'segment' | 'courier';
  /** The sender's id for the event (Segment's `messageId`): the same id is the same event, redelivered. */
  messageId: string;
  /** The trigger name: `track/<Event Name>`, `identify` or `group`. */
  event: string;
  /** The recipient of the runs it starts (Segment's `userId`). */
  userId?: string;
  /** The whole event, which runs see as `refs.data`. */
  payload: Record<string, unknown>;
}

/**
 * Starts automations for inbound events. Run ids derive from the event's source, message id and template, so
 * starting the same event twice (a redelivery, a retry after a crash) starts nothing new and returns the same ids.
 */
export interface AutomationLauncher {
  /** Starts every published automation template whose trigger is `event.event`; returns their run ids. */
  startForEvent(event: InboundEvent): Promise<string[]>;
}

export const AUTOMATION_LAUNCHER = Symbol('AutomationLauncher');
