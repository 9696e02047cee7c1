import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import type { RawQuery } from '../messages/message-query';
import {
  ListsService,
  type ListsView,
  type ListsWritten,
  type ListView,
  type ProfileListsView,
  type SubscriptionsView,
} from './lists.service';

/** Courier's `/lists`: lists (soft delete, restore) and their subscribers. Writes answer 204. */
@Controller('lists')
export class ListsController {
  constructor(private readonly lists: ListsService) {}

  @Get()
  list(@Query() query: RawQuery): Promise<ListsView> {
    return this.lists.list(query);
  }

  @Get(':listId')
  get(@Param('listId') listId: string): Promise<ListView> {
    return this.lists.get(listId);
  }

  @Put(':listId')
  @HttpCode(204)
  put(@Param('listId') listId: string, @Body() body: unknown): Promise<void> {
    return this.lists.put(listId, body);
  }

  @Delete(':listId')
  @HttpCode(204)
  delete(@Param('listId') listId: string): Promise<void> {
    return this.lists.delete(listId);
  }

  @Put(':listId/restore')
  @HttpCode(204)
  restore(@Param('listId') listId: string): Promise<void> {
    return this.lists.restore(listId);
  }

  @Get(':listId/subscriptions')
  subscriptions(@Param('listId') listId: string, @Query() query: RawQuery): Promise<SubscriptionsView> {
    return this.lists.subscriptions(listId, query);
  }

  @Put(':listId/subscriptions')
  @HttpCode(204)
  replaceSubscribers(@Param('listId') listId: string, @Body() body: unknown): Promise<void> {
    return this.lists.replaceSubscribers(listId, body);
  }

  @Post(':listId/subscriptions')
  @HttpCode(204)
  addSubscribers(@Param('listId') listId: string, @Body() body: unknown): Promise<void> {
    return this.lists.addSubscribers(listId, body);
  }

  @Put(':listId/subscriptions/:userId')
  @HttpCode(204)
  subscribe(@Param('listId') listId: string, @Param('userId') userId: string, @Body() body: unknown): Promise<void> {
    return this.lists.subscribe(listId, userId, body);
  }

  @Delete(':listId/subscriptions/:userId')
  @HttpCode(204)
  unsubscribe(@Param('listId') listId: string, @Param('userId') userId: string): Promise<void> {
    return this.lists.unsubscribe(listId, userId);
  }
}

/** Courier's `/profiles/{user_id}/lists`: the user's lists, subscribing to several, leaving them all. */
@Controller('profiles')
export class ProfileListsController {
  constructor(private readonly lists: ListsService) {}

  @Get(':userId/lists')
  get(@Param('userId') userId: string, @Query() query: RawQuery): Promise<ProfileListsView> {
    return this.lists.userLists(userId, query);
  }

  @Post(':userId/lists')
  @HttpCode(200)
  subscribe(@Param('userId') userId: string, @Body() body: unknown): Promise<ListsWritten> {
    return this.lists.subscribeUser(userId, body);
  }

  @Delete(':userId/lists')
  @HttpCode(200)
  delete(@Param('userId') userId: string): Promise<ListsWritten> {
    return this.lists.unsubscribeUserFromAll(userId);
  }
}
