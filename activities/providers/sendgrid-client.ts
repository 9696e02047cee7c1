import { Client } from '@sendgrid/client';
import type { ClientRequest } from '@sendgrid/client/src/request';
import { MailService } from '@sendgrid/mail';

/** Where and as whom to call SendGrid's v3 API. */
export interface SendGridApiSettings {
  apiKey: string;
  /** API base, e.g. the sandbox's `http://127.0.0.1:4010/sendgrid/`; unset = the real SendGrid. */
  baseUrl?: string;
  timeoutMs?: number;
}

export interface SendGridSettings extends SendGridApiSettings {
  /** Default sender address; SendGrid requires a verified sender. */
  fromEmail: string;
  fromName?: string;
}

export interface SendGridClients {
  mail: MailService;
  api: Client;
}

/** A private (non-singleton) v3 API client, e.g. for the Templates API. */
export function createSendGridApiClient(settings: SendGridApiSettings): Client {
  const api = new Client();
  // setApiKey resets baseUrl to the region host, so the redirect must come after it.
  api.setApiKey(settings.apiKey);
  if (settings.baseUrl) api.setDefaultRequest('baseUrl', settings.baseUrl.replace(/\/?$/, '/'));
  // axios has no timeout by default; a hung connection would otherwise hold an activity slot (or an HTTP request)
  // forever. The client hands `timeout` to axios, but its typings leave it out.
  api.setDefaultRequest({ timeout: settings.timeoutMs ?? 10_000 } as unknown as ClientRequest);
  return api;
}

/** Builds private (non-singleton) SendGrid clients, so two configurations can live in one process. */
export function createSendGridClients(settings: SendGridSettings): SendGridClients {
  const api = createSendGridApiClient(settings);
  const mail = new MailService();
  mail.setClient(api);
  return { mail, api };
}
