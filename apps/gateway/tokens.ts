/** Dependency-injection tokens for what the gateway is given rather than builds: config, clients, stores. */
export const GATEWAY_CONFIG = Symbol('GatewayConfig');
export const TEMPORAL_CLIENT = Symbol('TemporalClient');
export const MESSAGE_LOG = Symbol('MessageLog');
export const LOGGER = Symbol('Logger');
export const PROFILE_STORE = Symbol('ProfileStore');
