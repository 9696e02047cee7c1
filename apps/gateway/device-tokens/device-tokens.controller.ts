import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Put } from '@nestjs/common';
import type { DeviceToken } from '../../../db/device-tokens';
import { DeviceTokensService, type DeviceTokenListView } from './device-tokens.service';

/** Courier's `/users/{user_id}/tokens`: list, bulk PUT, and GET/PUT/PATCH/DELETE of one token. */
@Controller('users')
export class DeviceTokensController {
  constructor(private readonly tokens: DeviceTokensService) {}

  @Get(':userId/tokens')
  list(
    @Param('userId') userId: string,
    @Headers('x-fern-language') fernLanguage?: string,
  ): Promise<DeviceTokenListView> {
    return this.tokens.list(userId, fernLanguage !== undefined);
  }

  @Put(':userId/tokens')
  @HttpCode(204)
  putMany(@Param('userId') userId: string, @Body() body: unknown): Promise<void> {
    return this.tokens.putMany(userId, body);
  }

  @Get(':userId/tokens/:token')
  get(@Param('userId') userId: string, @Param('token') token: string): Promise<DeviceToken> {
    return this.tokens.get(userId, token);
  }

  @Put(':userId/tokens/:token')
  @HttpCode(204)
  put(@Param('userId') userId: string, @Param('token') token: string, @Body() body: unknown): Promise<void> {
    return this.tokens.put(userId, token, body);
  }

  @Patch(':userId/tokens/:token')
  @HttpCode(204)
  patch(@Param('userId') userId: string, @Param('token') token: string, @Body() body: unknown): Promise<void> {
    return this.tokens.patch(userId, token, body);
  }

  @Delete(':userId/tokens/:token')
  @HttpCode(204)
  delete(@Param('userId') userId: string, @Param('token') token: string): Promise<void> {
    return this.tokens.delete(userId, token);
  }
}
