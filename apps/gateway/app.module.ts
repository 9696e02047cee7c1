import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import type { Client } from '@temporalio/client';
import type { HeraldDatabase } from '../../db/database';
import type { HeraldMessageLog } from '../../db/message-log';
import { createProfileStore } from '../../db/profiles';
import { createDeviceTokenStore } from '../../db/device-tokens';
import { createPreferenceStore } from '../../db/preferences';
import type { Logger } from '../common/logger';
import { ApiKeyGuard } from './auth/api-key.guard';
import type { GatewayConfig } from './config';
import { HealthController } from './health/health.controller';
import { MessageActionsController } from './message-actions/message-actions.controller';
import { MessageActionsService } from './message-actions/message-actions.service';
import { MessagesController } from './messages/messages.controller';
import { ProfilesController } from './profiles/profiles.controller';
import { ProfilesService } from './profiles/profiles.service';
import { DeviceTokensController } from './device-tokens/device-tokens.controller';
import { DeviceTokensService } from './device-tokens/device-tokens.service';
import { PreferencesController } from './preferences/preferences.controller';
import { PreferencesService } from './preferences/preferences.service';
import { TopicsController } from './preferences/topics.controller';
import { SendController } from './send/send.controller';
import { SendService } from './send/send.service';
import { WebhooksController } from './webhooks/webhooks.controller';
import { WebhooksService } from './webhooks/webhooks.service';
import { GATEWAY_CONFIG, LOGGER, MESSAGE_LOG, PROFILE_STORE, TEMPORAL_CLIENT } from './tokens';
import { DEVICE_TOKEN_STORE, PREFERENCE_STORE } from './tokens';
import { createListStore } from '../../db/lists';
import { createTenantStore } from '../../db/tenants';
import { ListsController, ProfileListsController } from './lists/lists.controller';
import { ListsService } from './lists/lists.service';
import { TenantsController, UserTenantsController } from './tenants/tenants.controller';
import { TenantsService } from './tenants/tenants.service';
import { LIST_STORE, TENANT_STORE } from './tokens';
import { createTemplateStore } from '../../db/templates';
import { createSendGridTemplateSource } from './templates/sendgrid-import';
import { TemplatesController } from './templates/templates.controller';
import { TemplatesService } from './templates/templates.service';
import { SENDGRID_TEMPLATE_SOURCE, TEMPLATE_STORE } from './tokens';
import { createAutomationTemplateStore } from '../../db/automation-templates';
import { AutomationTemplatesController } from './automations/automation-templates.controller';
import { AutomationTemplatesService } from './automations/automation-templates.service';
import { AUTOMATION_RUN_STORE, AUTOMATION_TEMPLATE_STORE } from './tokens';
import { createAutomationRunStore } from '../../db/automation-runs';
import { AutomationRunsController } from './automations/automation-runs.controller';
import { AutomationRunsService } from './automations/automation-runs.service';
import { createInboundEventStore } from '../../db/inbound-events';
import { AUTOMATION_LAUNCHER, type AutomationLauncher } from './automations/automation-launcher';
import { InboundController, SegmentTrackingController } from './inbound/inbound.controller';
import { InboundService } from './inbound/inbound.service';
import { SegmentWriteKeyGuard } from './inbound/write-keys';
import { INBOUND_EVENT_STORE } from './tokens';

/** What the gateway is given: built by `main.ts` in production and by the tests against their own stack. */
export interface GatewayDeps {
  config: GatewayConfig;
  temporal: Client;
  messageLog: HeraldMessageLog;
  logger: Logger;
  /** Herald's database: the message log's and the idempotency store's. */
  database: HeraldDatabase;
  /** Starts automations for inbound events; without it, the gateway's own runAutomation launcher does. */
  automations?: AutomationLauncher;
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
        DeviceTokensController,
        PreferencesController,
        TopicsController,
        ListsController,
        ProfileListsController,
        TenantsController,
        UserTenantsController,
        TemplatesController,
        AutomationTemplatesController,
        AutomationRunsController,
        InboundController,
        SegmentTrackingController,
      ],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: deps.config },
        { provide: TEMPORAL_CLIENT, useValue: deps.temporal },
        { provide: MESSAGE_LOG, useValue: deps.messageLog },
        { provide: LOGGER, useValue: deps.logger },
        { provide: PROFILE_STORE, useValue: createProfileStore(deps.database) },
        { provide: DEVICE_TOKEN_STORE, useValue: createDeviceTokenStore(deps.database) },
        { provide: PREFERENCE_STORE, useValue: createPreferenceStore(deps.database) },
        { provide: LIST_STORE, useValue: createListStore(deps.database) },
        { provide: TENANT_STORE, useValue: createTenantStore(deps.database) },
        { provide: TEMPLATE_STORE, useValue: createTemplateStore(deps.database) },
        { provide: AUTOMATION_TEMPLATE_STORE, useValue: createAutomationTemplateStore(deps.database) },
        { provide: SENDGRID_TEMPLATE_SOURCE, useValue: createSendGridTemplateSource(deps.config.sendgrid) },
        { provide: INBOUND_EVENT_STORE, useValue: createInboundEventStore(deps.database) },
        { provide: AUTOMATION_RUN_STORE, useValue: createAutomationRunStore(deps.database) },
        // Inbound events start runs through AutomationRunsService unless the caller brings its own launcher.
        deps.automations
          ? { provide: AUTOMATION_LAUNCHER, useValue: deps.automations }
          : { provide: AUTOMATION_LAUNCHER, useExisting: AutomationRunsService },
        AutomationRunsService,
        {
          provide: APP_GUARD,
          useFactory: (reflector: Reflector) => new ApiKeyGuard(reflector, deps.config.apiKeys),
          inject: [Reflector],
        },
        SendService,
        WebhooksService,
        MessageActionsService,
        ProfilesService,
        DeviceTokensService,
        PreferencesService,
        ListsService,
        TenantsService,
        TemplatesService,
        AutomationTemplatesService,
        InboundService,
        SegmentWriteKeyGuard,
      ],
    };
  }
}
