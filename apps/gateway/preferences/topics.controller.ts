import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import type { Topic } from '../../../db/preferences';
import { PreferencesService, type TopicListView } from './preferences.service';

/**
 * Herald's own topic admin API (Courier configures topics in its web app, which has no public API): the topics
 * users' preferences refer to, and the status each user has until they choose.
 */
@Controller('topics')
export class TopicsController {
  constructor(private readonly preferences: PreferencesService) {}

  @Get()
  list(): Promise<TopicListView> {
    return this.preferences.listTopics();
  }

  @Get(':topicId')
  get(@Param('topicId') topicId: string): Promise<Topic> {
    return this.preferences.getTopic(topicId);
  }

  @Put(':topicId')
  @HttpCode(200)
  put(@Param('topicId') topicId: string, @Body() body: unknown): Promise<Topic> {
    return this.preferences.putTopic(topicId, body);
  }

  @Delete(':topicId')
  @HttpCode(204)
  delete(@Param('topicId') topicId: string): Promise<void> {
    return this.preferences.deleteTopic(topicId);
  }
}
