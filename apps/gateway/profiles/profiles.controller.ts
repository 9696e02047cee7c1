import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put } from '@nestjs/common';
import { ProfilesService, type ProfileView, type ProfileWritten } from './profiles.service';

/** Courier's `/profiles/{user_id}`: GET, POST (merge), PUT (replace), PATCH (JSON Patch), DELETE. */
@Controller('profiles')
export class ProfilesController {
  constructor(private readonly profiles: ProfilesService) {}

  @Get(':userId')
  get(@Param('userId') userId: string): Promise<ProfileView> {
    return this.profiles.get(userId);
  }

  @Post(':userId')
  @HttpCode(200)
  merge(@Param('userId') userId: string, @Body() body: unknown): Promise<ProfileWritten> {
    return this.profiles.merge(userId, body);
  }

  @Put(':userId')
  @HttpCode(200)
  replace(@Param('userId') userId: string, @Body() body: unknown): Promise<ProfileWritten> {
    return this.profiles.replace(userId, body);
  }

  @Patch(':userId')
  @HttpCode(200)
  patch(@Param('userId') userId: string, @Body() body: unknown): Promise<ProfileWritten> {
    return this.profiles.patch(userId, body);
  }

  @Delete(':userId')
  @HttpCode(204)
  delete(@Param('userId') userId: string): Promise<void> {
    return this.profiles.delete(userId);
  }
}
