import { Inject, Injectable } from '@nestjs/common';
import { listPatternProblem } from '../../../domain/list-pattern';
import {
  InvalidListError,
  type HeraldListStore,
  type ListRecord,
  type ListSubscription,
  type RecipientPreferences,
} from '../../../db/lists';
import { BadRequest, NotFound } from '../errors/api-error';
import type { RawQuery } from '../messages/message-query';
import { checkUserId } from '../profiles/profiles.schema';
import { LIST_STORE } from '../tokens';
import {
  checkListId,
  listBodySchema,
  parseJsonBody,
  profileListsBodySchema,
  recipientsBodySchema,
  subscribeBodySchema,
} from './lists.schema';
import { afterFrom, isoTime, pagingView, queryParam } from './paging';

/**
 * Page size of `GET /lists`, `GET /lists/{id}/subscriptions` and `GET /profiles/{id}/lists`. Courier documents no
 * `limit` for them and no page size (unconfirmed): 100 is our choice.
 */
export const LISTS_PAGE_SIZE = 100;

export interface Paging {
  cursor?: string;
  more: boolean;
}

export interface ListView {
  id: string;
  name: string;
  created: string;
  updated: string;
  preferences?: RecipientPreferences;
}

export interface ListsView {
  items: ListView[];
  paging: Paging;
}

export interface SubscriptionView {
  recipientId: string;
  created: string;
  preferences?: RecipientPreferences;
}

export interface SubscriptionsView {
  items: SubscriptionView[];
  paging: Paging;
}

/** `GET /profiles/{id}/lists`: the list, with the preferences of the user's subscription. */
export interface ProfileListsView {
  paging: Paging;
  results: ListView[];
}

export interface ListsWritten {
  status: 'SUCCESS';
}

const SUCCESS: ListsWritten = { status: 'SUCCESS' };

/** Courier's lists API (api-contract §9.1) and a profile's lists (§5.2) over Herald's list store. */
@Injectable()
export class ListsService {
  constructor(@Inject(LIST_STORE) private readonly store: HeraldListStore) {}

  async list(query: RawQuery): Promise<ListsView> {
    const pattern = queryParam(query, 'pattern');
    const problem = pattern === undefined ? undefined : listPatternProblem(pattern);
    if (problem) throw new BadRequest(problem);
    const page = await this.store.list({ pattern, after: afterFrom(query), limit: LISTS_PAGE_SIZE });
    return { items: page.items.map(listView), paging: pagingView(page, (list) => list.id) };
  }

  async get(listId: string): Promise<ListView> {
    const list = await this.store.get(checkListId(listId));
    if (!list) throw new NotFound(`list ${listId} not found`);
    return listView(list);
  }

  async put(listId: string, body: unknown): Promise<void> {
    const { name, preferences } = parseJsonBody(listBodySchema, body);
    await this.guard(() => this.store.put(checkListId(listId), { name, preferences: preferences ?? undefined }));
  }

  async delete(listId: string): Promise<void> {
    await this.store.delete(checkListId(listId));
  }

  async restore(listId: string): Promise<void> {
    if (!(await this.store.restore(checkListId(listId)))) throw new NotFound(`list ${listId} not found`);
  }

  async subscriptions(listId: string, query: RawQuery): Promise<SubscriptionsView> {
    const page = await this.store.subscriptions(checkListId(listId), {
      after: afterFrom(query),
      limit: LISTS_PAGE_SIZE,
    });
    if (!page) throw new NotFound(`list ${listId} not found`);
    return { items: page.items.map(subscriptionView), paging: pagingView(page, (s) => s.userId) };
  }

  async replaceSubscribers(listId: string, body: unknown): Promise<void> {
    const subscribers = this.recipients(body);
    await this.guard(() => this.store.replaceSubscribers(checkListId(listId), subscribers));
  }

  async addSubscribers(listId: string, body: unknown): Promise<void> {
    const subscribers = this.recipients(body);
    await this.guard(() => this.store.addSubscribers(checkListId(listId), subscribers));
  }

  async subscribe(listId: string, userId: string, body: unknown): Promise<void> {
    const { preferences } = parseJsonBody(subscribeBodySchema, body ?? {});
    await this.guard(() => this.store.subscribe(checkListId(listId), checkUserId(userId), preferences ?? undefined));
  }

  async unsubscribe(listId: string, userId: string): Promise<void> {
    await this.store.unsubscribe(checkListId(listId), checkUserId(userId));
  }

  async userLists(userId: string, query: RawQuery): Promise<ProfileListsView> {
    const page = await this.store.userLists(checkUserId(userId), { after: afterFrom(query), limit: LISTS_PAGE_SIZE });
    return {
      paging: pagingView(page, (item) => item.list.id),
      results: page.items.map(({ list, preferences }) => {
        const { preferences: _listPreferences, ...view } = listView(list);
        return preferences === undefined ? view : { ...view, preferences };
      }),
    };
  }

  async subscribeUser(userId: string, body: unknown): Promise<ListsWritten> {
    const { lists } = parseJsonBody(profileListsBodySchema, body);
    const subscriptions = lists.map((list) => ({ listId: list.listId, preferences: list.preferences ?? undefined }));
    await this.guard(() => this.store.subscribeUser(checkUserId(userId), subscriptions));
    return SUCCESS;
  }

  async unsubscribeUserFromAll(userId: string): Promise<ListsWritten> {
    await this.store.unsubscribeUserFromAll(checkUserId(userId));
    return SUCCESS;
  }

  private recipients(body: unknown) {
    const { recipients } = parseJsonBody(recipientsBodySchema, body);
    return recipients.map((r) => ({ userId: r.recipientId, preferences: r.preferences ?? undefined }));
  }

  /** What the store refuses (a bad id, a prototype key) is the caller's mistake: 400, and nothing was written. */
  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof InvalidListError) throw new BadRequest(error.message);
      throw error;
    }
  }
}

function listView(list: ListRecord): ListView {
  return {
    id: list.id,
    name: list.name,
    created: isoTime(list.created),
    updated: isoTime(list.updated),
    ...(list.preferences !== undefined ? { preferences: list.preferences } : {}),
  };
}

function subscriptionView(subscription: ListSubscription): SubscriptionView {
  return {
    recipientId: subscription.userId,
    created: isoTime(subscription.created),
    ...(subscription.preferences !== undefined ? { preferences: subscription.preferences } : {}),
  };
}
