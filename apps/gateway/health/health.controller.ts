import { Controller, Get, Inject } from '@nestjs/common';
import type { Client } from '@temporalio/client';
import { ApiError } from '../errors/api-error';
import { Public } from '../auth/api-key.guard';
import { TEMPORAL_CLIENT } from '../tokens';

@Controller('health')
export class HealthController {
  constructor(@Inject(TEMPORAL_CLIENT) private readonly client: Client) {}

  /** 200 only when Temporal answers, so a load balancer never routes sends to a gateway that cannot start them. */
  @Public()
  @Get()
  async check(): Promise<{ status: 'ok'; temporal: 'ok' }> {
    try {
      const connection = this.client.connection;
      await connection.withDeadline(Date.now() + 2_000, () => connection.workflowService.getSystemInfo({}));
    } catch {
      throw new ApiError(503, 'Temporal is not reachable', 'api_error');
    }
    return { status: 'ok', temporal: 'ok' };
  }
}
