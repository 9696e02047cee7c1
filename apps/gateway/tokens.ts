/** Dependency-injection tokens for what the gateway is given rather than builds: config, clients, stores. */
export const GATEWAY_CONFIG = Symbol('GatewayConfig');
export const TEMPORAL_CLIENT = Symbol('TemporalClient');
export const MESSAGE_LOG = Symbol('MessageLog');
export const LOGGER = Symbol('Logger');
export const PROFILE_STORE = Symbol('ProfileStore');
export const DEVICE_TOKEN_STORE = Symbol('DeviceTokenStore');
export const PREFERENCE_STORE = Symbol('PreferenceStore');
export const LIST_STORE = Symbol('ListStore');
export const TENANT_STORE = Symbol('TenantStore');
export const TEMPLATE_STORE = Symbol('TemplateStore');
export const SENDGRID_TEMPLATE_SOURCE = Symbol('SendGridTemplateSource');
export const AUTOMATION_RUN_STORE = Symbol('AutomationRunStore');
export const AUTOMATION_TEMPLATE_STORE = Symbol('AutomationTemplateStore');
/** The inbound events already taken (Segment, `/inbound/courier`). */
export const INBOUND_EVENT_STORE = Symbol('InboundEventStore');
