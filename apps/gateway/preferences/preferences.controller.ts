import { Body, Controller, Get, HttpCode, Param, Put, Query } from '@nestjs/common';
import { tenantIdFrom } from './preferences.schema';
import {
  PreferencesService,
  type PreferenceListView,
  type TopicPreferenceView,
  type PreferenceWritten,
} from './preferences.service';

/** Courier's `/users/{user_id}/preferences`: every topic, one topic, and the user's choice for one topic. */
@Controller('users')
export class PreferencesController {
  constructor(private readonly preferences: PreferencesService) {}

  @Get(':userId/preferences')
  list(@Param('userId') userId: string, @Query('tenant_id') tenantId?: string | string[]): Promise<PreferenceListView> {
    return this.preferences.list(userId, tenantIdFrom(tenantId));
  }

  @Get(':userId/preferences/:topicId')
  get(
    @Param('userId') userId: string,
    @Param('topicId') topicId: string,
    @Query('tenant_id') tenantId?: string | string[],
  ): Promise<TopicPreferenceView> {
    return this.preferences.get(userId, topicId, tenantIdFrom(tenantId));
  }

  @Put(':userId/preferences/:topicId')
  @HttpCode(200)
  put(
    @Param('userId') userId: string,
    @Param('topicId') topicId: string,
    @Body() body: unknown,
  ): Promise<PreferenceWritten> {
    return this.preferences.put(userId, topicId, body);
  }
}
