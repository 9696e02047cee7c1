import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import type { Template } from '../../../domain/template';
import type { ImportResult } from './sendgrid-import';
import { TemplatesService, type TemplateListView } from './templates.service';

/** Herald's `/templates`: list, read, create or replace, delete, and import from SendGrid. */
@Controller('templates')
export class TemplatesController {
  constructor(private readonly templates: TemplatesService) {}

  @Get()
  list(@Query() query: unknown): Promise<TemplateListView> {
    return this.templates.list(query);
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<Template> {
    return this.templates.get(id);
  }

  @Put(':id')
  @HttpCode(200)
  put(@Param('id') id: string, @Body() body: unknown): Promise<Template> {
    return this.templates.put(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  delete(@Param('id') id: string): Promise<void> {
    return this.templates.delete(id);
  }

  @Post('import/sendgrid')
  @HttpCode(200)
  importFromSendGrid(@Body() body: unknown): Promise<ImportResult> {
    return this.templates.importFromSendGrid(body);
  }
}
