import { Inject, Injectable } from '@nestjs/common';
import {
  InvalidPreferenceError,
  type HeraldPreferenceStore,
  type Topic,
  type TopicPreference,
} from '../../../db/preferences';
import { BadRequest, NotFound } from '../errors/api-error';
import { checkUserId, parseBody } from '../profiles/profiles.schema';
import { PREFERENCE_STORE } from '../tokens';
import { checkTopicId, preferenceBodySchema, topicBodySchema } from './preferences.schema';

export interface PreferenceListView {
  items: TopicPreference[];
  /** Vestigial in Courier too: every topic comes in one page. */
  paging: { more: false };
}

export interface TopicPreferenceView {
  topic: TopicPreference;
}

export interface PreferenceWritten {
  message: 'success';
}

export interface TopicListView {
  items: Topic[];
}

/** Courier's user preferences API (api-contract §6) and Herald's own topic admin API, over the preference store. */
@Injectable()
export class PreferencesService {
  constructor(@Inject(PREFERENCE_STORE) private readonly store: HeraldPreferenceStore) {}

  async list(userId: string, tenantId: string | undefined): Promise<PreferenceListView> {
    return { items: await this.store.list(checkUserId(userId), tenantId), paging: { more: false } };
  }

  async get(userId: string, topicId: string, tenantId: string | undefined): Promise<TopicPreferenceView> {
    const topic = await this.store.get(checkUserId(userId), checkTopicId(topicId), tenantId);
    if (!topic) throw new NotFound(`topic ${topicId} not found`);
    return { topic };
  }

  /**
   * Herald keeps one choice per user and topic, whatever the tenant: `tenant_id` (accepted on PUT, as the SDKs
   * send it) only selects which tenant's defaults a read shows.
   */
  async put(userId: string, topicId: string, body: unknown): Promise<PreferenceWritten> {
    const { topic } = parseBody(preferenceBodySchema, body);
    const choice = {
      status: topic.status,
      ...(topic.has_custom_routing != null ? { has_custom_routing: topic.has_custom_routing } : {}),
      ...(topic.custom_routing != null ? { custom_routing: topic.custom_routing } : {}),
    };
    let stored: boolean;
    try {
      stored = await this.store.put(checkUserId(userId), checkTopicId(topicId), choice);
    } catch (error) {
      if (error instanceof InvalidPreferenceError) throw new BadRequest(error.message);
      throw error;
    }
    if (!stored) throw new NotFound(`topic ${topicId} not found`);
    return { message: 'success' };
  }

  async putTopic(topicId: string, body: unknown): Promise<Topic> {
    const { name, default_status } = parseBody(topicBodySchema, body);
    return this.store.putTopic({ id: checkTopicId(topicId), name, default_status });
  }

  async listTopics(): Promise<TopicListView> {
    return { items: await this.store.listTopics() };
  }

  async getTopic(topicId: string): Promise<Topic> {
    const topic = await this.store.getTopic(checkTopicId(topicId));
    if (!topic) throw new NotFound(`topic ${topicId} not found`);
    return topic;
  }

  /** 204 whether or not the topic existed, so a retried DELETE does not fail. */
  async deleteTopic(topicId: string): Promise<void> {
    await this.store.deleteTopic(checkTopicId(topicId));
  }
}
