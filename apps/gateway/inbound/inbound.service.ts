import { Inject, Injectable, Optional } from '@nestjs/common';
import type { HeraldInboundEventStore } from '../../../db/inbound-events';
import type { HeraldProfileStore } from '../../../db/profiles';
import type { HeraldTenantStore } from '../../../db/tenants';
import {
  eventOfTrackingCall,
  eventsOfBatch,
  profileFromTraits,
  segmentTrigger,
  segmentUserOf,
  tenantFromGroup,
  trackTrigger,
  type SegmentEvent,
  type SegmentGroup,
} from '../../../domain/segment';
import type { Logger } from '../../common/logger';
import { AUTOMATION_LAUNCHER, type AutomationLauncher, type InboundEvent } from '../automations/automation-launcher';
import { ApiError, BadRequest } from '../errors/api-error';
import { parseJsonBody } from '../lists/lists.schema';
import { INBOUND_EVENT_STORE, LOGGER, PROFILE_STORE, TENANT_STORE } from '../tokens';
import { checkSegmentEvent, courierInboundBodySchema } from './inbound.schema';
import { segmentRefusal } from './write-keys';

/** What `/inbound/segment` and `/inbound/courier` answer with 202. */
export interface InboundAccepted {
  messageId: string;
}

/** What Segment's Tracking API answers with 200. */
export interface SegmentAck {
  success: true;
}

type Json = Record<string, unknown>;

/**
 * Takes inbound events (Segment's Courier destination, Segment's HTTP Tracking API, `POST /inbound/courier`), each
 * at most once per (source, messageId). Effects run in an order that survives a crash anywhere: the profile or
 * tenant change, then the automation starts, and only then the record that the event was taken. A crash before
 * the record leaves the event untaken, so the sender's redelivery does everything again; every step is idempotent
 * (profile merge, membership upsert, the launcher's derived run ids), so doing it twice changes nothing.
 */
@Injectable()
export class InboundService {
  constructor(
    @Inject(INBOUND_EVENT_STORE) private readonly events: HeraldInboundEventStore,
    @Inject(PROFILE_STORE) private readonly profiles: HeraldProfileStore,
    @Inject(TENANT_STORE) private readonly tenants: HeraldTenantStore,
    @Inject(LOGGER) private readonly log: Logger,
    // Optional so inbound events work without the automation engine: they then update profiles and tenants only.
    @Optional() @Inject(AUTOMATION_LAUNCHER) private readonly launcher?: AutomationLauncher,
  ) {}

  /** `POST /inbound/segment`: one event; a redelivered one is accepted again and changes nothing. */
  async takeSegmentEvent(body: unknown): Promise<InboundAccepted> {
    const checked = checkSegmentEvent(body);
    if (!checked.ok) throw new BadRequest(checked.problem);
    await this.takeSegment(checked.event, body as Json);
    return { messageId: checked.event.messageId };
  }

  /**
   * `POST /v1/batch`. As Segment does, an event that is not valid is dropped while the rest of the batch is taken;
   * events are taken one after the other, in batch order, so an identify is applied before the track behind it. A
   * failure (the database is down) fails the whole request, and the library's retry takes the remaining events,
   * skipping those already recorded.
   */
  async takeSegmentBatch(body: unknown): Promise<SegmentAck> {
    const events = eventsOfBatch(body);
    if (!events) throw segmentRefusal(400, 'body must be {"batch": [...]}');
    for (const event of events) await this.takeTracked(event);
    return { success: true };
  }

  /** `POST /v1/track`, `/v1/identify`, `/v1/group` (and page, screen, alias, which are dropped). */
  async takeSegmentCall(body: unknown, type: string): Promise<SegmentAck> {
    const event = eventOfTrackingCall(body, type);
    if (!event) throw segmentRefusal(400, 'body must be a Segment event object');
    await this.takeTracked(event);
    return { success: true };
  }

  /** `POST /inbound/courier` (api-contract §8.1): a messageId is taken once; a repeat is a final 409. */
  async takeCourierEvent(body: unknown): Promise<InboundAccepted> {
    const input = parseJsonBody(courierInboundBodySchema, body);
    const taken = await this.take(
      {
        source: 'courier',
        messageId: input.messageId,
        event: trackTrigger(input.event),
        ...(input.userId !== undefined ? { userId: input.userId } : {}),
        payload: body as Json,
      },
      async () => undefined,
    );
    if (!taken) {
      throw new ApiError(
        409,
        `an inbound event with messageId "${input.messageId}" was already received`,
        'invalid_request_error',
        { 'x-should-retry': 'false' },
      );
    }
    return { messageId: input.messageId };
  }

  private async takeTracked(raw: unknown): Promise<void> {
    const checked = checkSegmentEvent(raw);
    if (checked.ok) return this.takeSegment(checked.event, raw as Json);
    const messageId = (raw as { messageId?: unknown } | null)?.messageId;
    // page and screen calls are routine for analytics libraries; only malformed events deserve attention.
    const level = checked.reason === 'unsupported' ? 'debug' : 'warn';
    this.log[level]({ messageId, problem: checked.problem }, 'Segment event dropped');
  }

  private async takeSegment(event: SegmentEvent, payload: Json): Promise<void> {
    const userId = segmentUserOf(event);
    await this.take(
      { source: 'segment', messageId: event.messageId, event: segmentTrigger(event), userId, payload },
      async () => {
        if (event.type === 'identify') await this.profiles.merge(userId, profileFromTraits(event.traits));
        if (event.type === 'group') await this.joinTenant(event, userId);
      },
    );
  }

  /**
   * The user joins the group's tenant. A tenant this creates gets the group's name and other traits; an existing
   * one is left as it is (`PUT /tenants/{id}` owns it).
   */
  private async joinTenant(event: SegmentGroup, userId: string): Promise<void> {
    const { tenantId, name, properties } = tenantFromGroup(event);
    if (!(await this.tenants.get(tenantId))) {
      await this.tenants.put(tenantId, {
        name: name ?? tenantId,
        ...(Object.keys(properties).length > 0 ? { properties } : {}),
      });
    }
    await this.tenants.addMember(tenantId, userId);
  }

  /** Takes an event unless it was taken before; false when it was (or a concurrent delivery recorded it first). */
  private async take(event: InboundEvent, effects: () => Promise<void>): Promise<boolean> {
    if (await this.events.get(event.source, event.messageId)) return false;
    await effects();
    // A concurrent duplicate gets here too; the launcher derives run ids from the event, so it starts nothing twice.
    const runs = this.launcher ? await this.launcher.startForEvent(event) : [];
    return this.events.record({ ...event, runs });
  }
}
