export * from './send-message.workflow';
export * from './fan-out-message.workflow';
export * from './run-automation.workflow';
