import { createTransport, type NodemailerError } from 'nodemailer';
import { FailureType } from '../../domain/failures';
import type { EmailProvider, EmailRequest, ProviderAcceptance } from '../ports';
import { providerFailure } from './classify';

export interface SmtpSettings {
  host: string;
  port: number;
  /** TLS from the first byte (port 465). Otherwise STARTTLS is used when the server offers it. */
  secure?: boolean;
  user?: string;
  password?: string;
  fromEmail: string;
  fromName?: string;
  /** Bounds connecting, the greeting and every wait for a reply; keep it under the activity's start-to-close. */
  timeoutMs?: number;
}

/** The port plus `close()`, which ends the pooled connections (worker shutdown, tests). */
export interface SmtpEmailProvider extends EmailProvider {
  readonly key: 'smtp';
  close(): void;
}

/** Socket-level failures: the server was not reached or went away. Worth retrying. */
const connectionCodes = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE']);
/** Authentication problems: the credentials or the server's auth requirement do not match our settings. */
const authCodes = new Set(['EAUTH', 'ENOAUTH', 'EOAUTH2']);
/** 530 authentication required, 534 mechanism too weak, 535 credentials invalid, 538 encryption required. */
const authReplyCodes = new Set([530, 534, 535, 538]);

function failureType(error: NodemailerError): FailureType {
  const reply = error.responseCode;
  if (reply !== undefined && authReplyCodes.has(reply)) return FailureType.ProviderMisconfigured;
  // 4yz replies are transient by definition (RFC 5321 §4.2.1): 421 closing, 450/451/452 try again later.
  if (reply !== undefined && reply >= 400 && reply < 500) return FailureType.ProviderUnavailable;
  // 503 is "bad sequence of commands": the session was in the wrong state, not a verdict on the message, and
  // the same message goes through on a fresh connection. Every other 5yz refuses this message for good.
  if (reply === 503) return FailureType.ProviderUnavailable;
  if (reply !== undefined && reply >= 500 && reply < 600) return FailureType.ProviderRejected;
  const code = error.code ?? '';
  if (authCodes.has(code) || code === 'ECONFIG') return FailureType.ProviderMisconfigured;
  if (connectionCodes.has(code) || connectionCodes.has(error.originalCode ?? '')) {
    return FailureType.ProviderUnavailable;
  }
  // An envelope nodemailer refused before talking to the server (no or unparseable recipient) fails again.
  if (code === 'EENVELOPE') return FailureType.ProviderRejected;
  return FailureType.ProviderUnavailable;
}

/** Removes every form of the password an error could conceivably carry (plain, or base64 as in AUTH PLAIN/LOGIN). */
function redactor(settings: SmtpSettings): (text: string) => string {
  const password = settings.password;
  if (!password) return (text) => text;
  const forms = [
    password,
    Buffer.from(password).toString('base64'),
    Buffer.from(`\u0000${settings.user ?? ''}\u0000${password}`).toString('base64'),
  ];
  return (text) => forms.reduce((out, secret) => out.split(secret).join('[redacted]'), text);
}

function classify(error: unknown, redact: (text: string) => string): Error {
  const failure = (error ?? {}) as NodemailerError;
  const message = redact(failure.message || String(error));
  return providerFailure('smtp', failureType(failure), message, {
    code: failure.code,
    originalCode: failure.originalCode,
    responseCode: failure.responseCode,
    command: failure.command ? redact(failure.command) : undefined,
  });
}

/**
 * Email through any SMTP server with nodemailer: one pooled transport per provider, so consecutive sends reuse
 * an authenticated connection. SMTP has no status API, so the acceptance is final from Herald's point of view.
 */
export function createSmtpEmailProvider(settings: SmtpSettings): SmtpEmailProvider {
  const timeoutMs = settings.timeoutMs ?? 10_000;
  const redact = redactor(settings);
  const transport = createTransport({
    pool: true,
    host: settings.host,
    port: settings.port,
    secure: settings.secure ?? false,
    auth: settings.user ? { user: settings.user, pass: settings.password ?? '' } : undefined,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    // Temporal retries the activity; one requeue only covers a pooled connection the server closed while idle.
    maxRequeues: 1,
    logger: false,
    // Message content comes from templates; it must never make the worker read files or fetch URLs.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  // The pool reports failures through the send callbacks; an 'error' event must not crash the worker.
  transport.on('error', () => {});
  const from = settings.fromName ? { name: settings.fromName, address: settings.fromEmail } : settings.fromEmail;

  return {
    key: 'smtp',

    async send(request: EmailRequest): Promise<ProviderAcceptance> {
      if (request.sendgridTemplate) {
        // Only SendGrid holds and renders its dynamic templates; no retry or other SMTP server can change that.
        throw providerFailure(
          'smtp',
          FailureType.ProviderRejected,
          `SendGrid dynamic template ${request.sendgridTemplate.id} can only be rendered by SendGrid`,
          { templateId: request.sendgridTemplate.id },
        );
      }
      try {
        const info = await transport.sendMail({
          from,
          to: request.to,
          subject: request.subject,
          text: request.text,
          html: request.html,
          headers: { 'X-Herald-Message-Id': request.messageId },
        });
        return {
          providerMessageId: (info.messageId ?? '').replace(/^<|>$/g, ''),
          referenceName: 'message-id',
          tracking: 'none',
        };
      } catch (error) {
        throw classify(error, redact);
      }
    },

    close() {
      transport.close();
    },
  };
}
