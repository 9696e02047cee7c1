import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import type { AutomationRun } from '../../../db/automation-runs';
import { AutomationRunsService } from './automation-runs.service';

/** Courier's automation invocations, and Herald's view of a run. */
@Controller('automations')
export class AutomationRunsController {
  constructor(private readonly runs: AutomationRunsService) {}

  /** Ad hoc: the steps come with the request. */
  @Post('invoke')
  @HttpCode(200)
  invokeAdHoc(@Body() body: unknown): Promise<{ runId: string }> {
    return this.runs.invokeAdHoc(body);
  }

  @Post(':templateId/invoke')
  @HttpCode(200)
  invokeTemplate(@Param('templateId') templateId: string, @Body() body: unknown): Promise<{ runId: string }> {
    return this.runs.invokeTemplate(templateId, body);
  }

  /** The run's status, the step it is on, and each finished step's outcome. */
  @Get('runs/:runId')
  get(@Param('runId') runId: string): Promise<AutomationRun> {
    return this.runs.get(runId);
  }
}
