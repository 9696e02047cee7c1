import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import type { Client } from '@temporalio/client';
import type { HeraldDatabase } from '../../db/database';
import type { HeraldMessageLog } from '../../db/message-log';
import { createProfileStore } from '../../db/profiles';
import type { Logger } from '../common/logger';
import { ApiKeyGuard } from './auth/api-key.guard';
import type { GatewayConfig } from './config';
import { HealthController } from './health/health.controller';
import { MessageActionsController } from './message-actions/message-actions.controller';
import { MessageActionsService } from './message-actions/message-actions.service';
import { MessagesController } from './messages/messages.controller';
import { ProfilesController } from './profiles/profiles.controller';
import { ProfilesService } from './profiles/profiles.service';
import { SendController } from './send/send.controller';
import { SendService } from './send/send.service';
import { WebhooksController } from './webhooks/webhooks.controller';
import { WebhooksService } from './webhooks/webhooks.service';
import { GATEWAY_CONFIG, LOGGER, MESSAGE_LOG, PROFILE_STORE, TEMPORAL_CLIENT } from './tokens';

/** What the gateway is given: built by `main.ts` in production and by the tests against their own stack. */
export interface GatewayDeps {
  config: GatewayConfig;
  temporal: Client;
  messageLog: HeraldMessageLog;
  logger: Logger;
  /** Herald's database: the message log's and the idempotency store's. */
  database: HeraldDatabase;
}

@Module({})
export class AppModule {
  static create(deps: GatewayDeps): DynamicModule {
    return {
      module: AppModule,
      controllers: [
        SendController,
        MessagesController,
        MessageActionsController,
        HealthController,
        WebhooksController,
        ProfilesController,
      ],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: deps.config },
        { provide: TEMPORAL_CLIENT, useValue: deps.temporal },
        { provide: MESSAGE_LOG, useValue: deps.messageLog },
        { provide: LOGGER, useValue: deps.logger },
        { provide: PROFILE_STORE, useValue: createProfileStore(deps.database) },
        {
          provide: APP_GUARD,
          useFactory: (reflector: Reflector) => new ApiKeyGuard(reflector, deps.config.apiKeys),
          inject: [Reflector],
        },
        SendService,
        WebhooksService,
        MessageActionsService,
        ProfilesService,
      ],
    };
  }
}
