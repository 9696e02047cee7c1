import { Client } from '@sendgrid/client';
import { MailService } from '@sendgrid/mail';

export interface SendGridSettings {
  apiKey: string;
  /** Default sender address; SendGrid requires a verified sender. */
  fromEmail: string;
  fromName?: string;
  /** API base, e.g. the sandbox's `http://127.0.0.1:4010/sendgrid/`; unset = the real SendGrid. */
  baseUrl?: string;
  timeoutMs?: number;
}

export interface SendGridClients {
  mail: MailService;
  api: Client;
}

/** Builds private (non-singleton) SendGrid clients, so two configurations can live in one process. */
export function createSendGridClients(settings: SendGridSettings): SendGridClients {
  const api = new Client();
  // setApiKey resets baseUrl to the region host, so the redirect must come after it.
  api.setApiKey(settings.apiKey);
  if (settings.baseUrl) api.setDefaultRequest('baseUrl', settings.baseUrl.replace(/\/?$/, '/'));
  const mail = new MailService();
  mail.setClient(api);
  // axios has no timeout by default; a hung connection would otherwise hold an activity slot forever.
  mail.setTimeout(settings.timeoutMs ?? 10_000);
  return { mail, api };
}
