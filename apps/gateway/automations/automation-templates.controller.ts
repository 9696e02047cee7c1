import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query } from '@nestjs/common';
import type { AutomationTemplate, AutomationTrigger } from '../../../db/automation-templates';
import type { RawQuery } from '../messages/message-query';
import { AutomationTemplatesService, type CourierAutomationListView } from './automation-templates.service';

/** Herald's automation templates and triggers, and Courier's `GET /automations` list of them. */
@Controller('automations')
export class AutomationTemplatesController {
  constructor(private readonly automations: AutomationTemplatesService) {}

  @Get()
  list(@Query() query: RawQuery): Promise<CourierAutomationListView> {
    return this.automations.listForCourier(query);
  }

  @Get('templates/:id')
  get(@Param('id') idOrAlias: string): Promise<AutomationTemplate> {
    return this.automations.get(idOrAlias);
  }

  @Put('templates/:id')
  @HttpCode(200)
  put(@Param('id') id: string, @Body() body: unknown): Promise<AutomationTemplate> {
    return this.automations.put(id, body);
  }

  @Delete('templates/:id')
  @HttpCode(204)
  delete(@Param('id') id: string): Promise<void> {
    return this.automations.delete(id);
  }

  @Get('triggers')
  triggers(@Query() query: RawQuery): Promise<{ items: AutomationTrigger[] }> {
    return this.automations.triggers(query);
  }
}
