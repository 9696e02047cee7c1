import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query } from '@nestjs/common';
import type { Tenant } from '../../../db/tenants';
import type { RawQuery } from '../messages/message-query';
import { TenantsService, type MembershipView, type TenantListEnvelope } from './tenants.service';

/** Courier's `/tenants`: tenants, their members, and their default preferences per topic. */
@Controller('tenants')
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Get()
  list(@Query() query: RawQuery): Promise<TenantListEnvelope<Tenant>> {
    return this.tenants.list(query);
  }

  @Get(':tenantId')
  get(@Param('tenantId') tenantId: string): Promise<Tenant> {
    return this.tenants.get(tenantId);
  }

  @Put(':tenantId')
  @HttpCode(200)
  put(@Param('tenantId') tenantId: string, @Body() body: unknown): Promise<Tenant> {
    return this.tenants.put(tenantId, body);
  }

  @Delete(':tenantId')
  @HttpCode(204)
  delete(@Param('tenantId') tenantId: string): Promise<void> {
    return this.tenants.delete(tenantId);
  }

  @Get(':tenantId/users')
  members(@Param('tenantId') tenantId: string, @Query() query: RawQuery): Promise<TenantListEnvelope<MembershipView>> {
    return this.tenants.members(tenantId, query);
  }

  @Put(':tenantId/default_preferences/items/:topicId')
  @HttpCode(204)
  putDefaultPreference(
    @Param('tenantId') tenantId: string,
    @Param('topicId') topicId: string,
    @Body() body: unknown,
  ): Promise<void> {
    return this.tenants.putDefaultPreference(tenantId, topicId, body);
  }

  @Delete(':tenantId/default_preferences/items/:topicId')
  @HttpCode(204)
  deleteDefaultPreference(@Param('tenantId') tenantId: string, @Param('topicId') topicId: string): Promise<void> {
    return this.tenants.deleteDefaultPreference(tenantId, topicId);
  }
}

/** Courier's `/users/{user_id}/tenants`: a user's tenant memberships. Writes answer 204. */
@Controller('users')
export class UserTenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Get(':userId/tenants')
  list(@Param('userId') userId: string, @Query() query: RawQuery): Promise<TenantListEnvelope<MembershipView>> {
    return this.tenants.userTenants(userId, query);
  }

  @Put(':userId/tenants')
  @HttpCode(204)
  addMany(@Param('userId') userId: string, @Body() body: unknown): Promise<void> {
    return this.tenants.addUserTenants(userId, body);
  }

  @Put(':userId/tenants/:tenantId')
  @HttpCode(204)
  addOne(@Param('userId') userId: string, @Param('tenantId') tenantId: string, @Body() body: unknown): Promise<void> {
    return this.tenants.addUserTenant(userId, tenantId, body);
  }

  @Delete(':userId/tenants')
  @HttpCode(204)
  removeAll(@Param('userId') userId: string): Promise<void> {
    return this.tenants.removeUserTenants(userId);
  }

  @Delete(':userId/tenants/:tenantId')
  @HttpCode(204)
  removeOne(@Param('userId') userId: string, @Param('tenantId') tenantId: string): Promise<void> {
    return this.tenants.removeUserTenant(userId, tenantId);
  }
}
