import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { Public } from '../auth/api-key.guard';
import { InboundService, type InboundAccepted, type SegmentAck } from './inbound.service';
import { SegmentWriteKeyGuard } from './write-keys';

/** Inbound events under Herald's API key: Segment's Courier (Actions) destination and Courier's own track intake. */
@Controller()
export class InboundController {
  constructor(private readonly inbound: InboundService) {}

  @Post('inbound/segment')
  @HttpCode(202)
  segment(@Body() body: unknown): Promise<InboundAccepted> {
    return this.inbound.takeSegmentEvent(body);
  }

  @Post('inbound/courier')
  @HttpCode(202)
  courier(@Body() body: unknown): Promise<InboundAccepted> {
    return this.inbound.takeCourierEvent(body);
  }

  /** The destination's "test credentials": reaching this handler means the guard accepted the key. */
  @Post('debug')
  @HttpCode(200)
  debug(): { status: 'SUCCESS' } {
    return { status: 'SUCCESS' };
  }
}

/**
 * Segment's HTTP Tracking API, so a Segment library (`@segment/analytics-node` with `host` = Herald) sends here
 * directly. Authenticated by a Segment write key, not Herald's bearer key; answers as Segment does.
 */
@Public()
@UseGuards(SegmentWriteKeyGuard)
@Controller('v1')
export class SegmentTrackingController {
  constructor(private readonly inbound: InboundService) {}

  @Post('batch')
  @HttpCode(200)
  batch(@Body() body: unknown): Promise<SegmentAck> {
    return this.inbound.takeSegmentBatch(body);
  }

  @Post('track')
  @HttpCode(200)
  track(@Body() body: unknown): Promise<SegmentAck> {
    return this.inbound.takeSegmentCall(body, 'track');
  }

  @Post('identify')
  @HttpCode(200)
  identify(@Body() body: unknown): Promise<SegmentAck> {
    return this.inbound.takeSegmentCall(body, 'identify');
  }

  @Post('group')
  @HttpCode(200)
  group(@Body() body: unknown): Promise<SegmentAck> {
    return this.inbound.takeSegmentCall(body, 'group');
  }

  /** Valid Segment calls Herald has no use for: accepted and dropped, so a library sending them sees no error. */
  @Post(['page', 'screen', 'alias'])
  @HttpCode(200)
  async ignored(): Promise<SegmentAck> {
    return { success: true };
  }
}
