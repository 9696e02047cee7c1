export * from './send-message.workflow';
