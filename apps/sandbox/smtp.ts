/**
 * An SMTP server for the provider sandbox: it receives what Herald's SMTP email provider sends and records each
 * accepted mail as a sandbox message (`provider: 'smtp'`, `channel: 'email'`). Plain SMTP only (no TLS), AUTH
 * PLAIN/LOGIN only when credentials are configured.
 *
 * Magic recipients (any domain): `reject-permanent@…` gets 550 at RCPT TO, `reject-temporary@…` gets 451.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import type { Logger } from 'pino';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { StoredMessage } from './store';

/** A `StoredMessage` of the SMTP sink: once the store's `Provider` includes `'smtp'`, `store.addMessage` takes it. */
export type SmtpStoredMessage = Omit<StoredMessage, 'provider' | 'channel' | 'params'> & {
  provider: 'smtp';
  channel: 'email';
  params: SmtpMessageParams;
};

export interface SmtpMessageParams {
  /** Headers of interest, lower-cased: every `x-*` header (incl. `x-herald-message-id`), `message-id`, `date`. */
  headers: Record<string, string>;
  /** What the client said in MAIL FROM / RCPT TO, which can differ from the headers (Bcc). */
  envelope: { mailFrom: string | null; rcptTo: string[] };
  /** The AUTH user, when the client authenticated. */
  user?: string;
}

/** Where accepted mails go: a callback, or anything with the store's `addMessage`. */
export type SmtpMessageSink =
  ((message: SmtpStoredMessage) => unknown) | { addMessage(message: SmtpStoredMessage): unknown };

/** The part of a sandbox fault the sink needs; `FaultQueue` fits once its `Provider` includes `'smtp'`. */
export interface SmtpFaultSource {
  take(provider: 'smtp'): { mode: 'status' | 'timeout' | 'drop' | 'slow'; status: number; delayMs: number } | undefined;
}

export interface SmtpSinkOptions {
  store: SmtpMessageSink;
  /** One line per accepted or refused mail; false or absent for quiet tests. Never logs credentials. */
  logger?: Logger | false;
  /** When set, AUTH PLAIN/LOGIN with exactly these is required before MAIL FROM; otherwise any AUTH is accepted. */
  credentials?: { user: string; password: string };
  /**
   * Pending faults, claimed one per mail at MAIL FROM: `status` 4xx → 451, 5xx → 554; `timeout` holds the reply
   * for `delayMs` and then answers 451; `drop` answers 421 and closes the connection.
   */
  faults?: SmtpFaultSource;
  now?: () => number;
}

export interface SmtpSink {
  /** Starts listening (port 0 = any free port) and resolves with the port. */
  listen(port?: number, host?: string): Promise<number>;
  /** Answers open connections with 421, closes them and stops listening. */
  close(): Promise<void>;
}

/** Same cap as the HTTP side (SendGrid accepts mails up to ~30 MB). */
const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

function smtpError(responseCode: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode });
}

function sameSecret(given: string | null | undefined, expected: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(expected);
  return given != null && a.length === b.length && timingSafeEqual(a, b);
}

function localPart(address: string): string {
  const at = address.lastIndexOf('@');
  return (at < 0 ? address : address.slice(0, at)).toLowerCase();
}

function addressesOf(header: AddressObject | AddressObject[] | undefined): string[] {
  const flatten = (list: AddressObject['value']): string[] =>
    list.flatMap((entry) => (entry.group ? flatten(entry.group) : entry.address ? [entry.address] : []));
  return (Array.isArray(header) ? header : header ? [header] : []).flatMap((h) => flatten(h.value));
}

function headersOfInterest(mail: ParsedMail): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const [name, value] of mail.headers) {
    if (name === 'date' && value instanceof Date) picked.date = value.toISOString();
    else if ((name.startsWith('x-') || name === 'message-id') && typeof value === 'string') picked[name] = value;
  }
  return picked;
}

function toStoredMessage(mail: ParsedMail, session: SMTPServerSession, receivedAt: number): SmtpStoredMessage {
  const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : null;
  const rcptTo = session.envelope.rcptTo.map((r) => r.address);
  const to = addressesOf(mail.to);
  const recipients = [...new Set([...rcptTo, ...to, ...addressesOf(mail.cc)].map((a) => a.toLowerCase()))];
  const user: unknown = session.user;
  return {
    // Nodemailer always sets a Message-ID; a client that does not still gets a unique id here.
    id: mail.messageId ? mail.messageId.replace(/^<|>$/g, '') : `${randomUUID()}@sandbox.herald.local`,
    provider: 'smtp',
    channel: 'email',
    to: (to.length > 0 ? to : rcptTo).join(', '),
    from: addressesOf(mail.from)[0] ?? mailFrom,
    subject: mail.subject,
    body: mail.text,
    html: typeof mail.html === 'string' ? mail.html : undefined,
    initialStatus: 'accepted',
    steps: [],
    receivedAt,
    params: {
      headers: headersOfInterest(mail),
      envelope: { mailFrom, rcptTo },
      ...(typeof user === 'string' ? { user } : {}),
    },
    recipients,
  };
}

export function createSmtpSink(options: SmtpSinkOptions): SmtpSink {
  const { credentials, faults } = options;
  const log = options.logger || undefined;
  const now = options.now ?? (() => Date.now());
  const record = (message: SmtpStoredMessage) =>
    typeof options.store === 'function' ? options.store(message) : options.store.addMessage(message);
  /** MAIL FROM replies held by `timeout` faults; answered with 421 on close so the server can stop. */
  const held = new Map<NodeJS.Timeout, () => void>();

  const server = new SMTPServer({
    name: 'sandbox.herald.local',
    banner: 'Herald provider sandbox',
    logger: false,
    disabledCommands: ['STARTTLS'],
    authMethods: ['PLAIN', 'LOGIN'],
    authOptional: !credentials,
    // There is no TLS at all, so AUTH has to be allowed in the clear.
    allowInsecureAuth: true,
    disableReverseLookup: true,
    size: MAX_MESSAGE_BYTES,

    onAuth(auth, _session, callback) {
      if (auth.method !== 'PLAIN' && auth.method !== 'LOGIN') {
        return callback(smtpError(504, 'Unrecognized authentication type'));
      }
      if (
        credentials &&
        !(sameSecret(auth.username, credentials.user) && sameSecret(auth.password, credentials.password))
      ) {
        log?.warn(`SMTP AUTH ${auth.method} failed for user ${JSON.stringify(auth.username ?? '')}`);
        return callback(smtpError(535, 'Authentication credentials invalid'));
      }
      callback(null, { user: auth.username });
    },

    onMailFrom(address, _session, callback) {
      const fault = faults?.take('smtp');
      if (!fault) return callback();
      log?.info(`SMTP MAIL FROM ${address.address}: injected ${fault.mode} fault`);
      if (fault.mode === 'drop') return callback(smtpError(421, 'Connection dropped (injected fault)'));
      const reply = () =>
        fault.status >= 500
          ? callback(smtpError(554, 'Transaction failed (injected fault)'))
          : callback(smtpError(451, 'Temporary local problem, try again later (injected fault)'));
      if (fault.mode === 'status') return reply();
      // `slow` answers the envelope late but accepts it; `timeout` answers late with the failure.
      const timer = setTimeout(() => {
        held.delete(timer);
        if (fault.mode === 'slow') callback();
        else reply();
      }, fault.delayMs);
      held.set(timer, () => callback(smtpError(421, 'Server shutting down')));
    },

    onRcptTo(address, _session, callback) {
      switch (localPart(address.address)) {
        case 'reject-permanent':
          return callback(smtpError(550, 'Mailbox unavailable'));
        case 'reject-temporary':
          return callback(smtpError(451, 'Mailbox temporarily unavailable, try again later'));
        default:
          return callback();
      }
    },

    onData(stream: SMTPServerDataStream, session, callback) {
      const receivedAt = now();
      simpleParser(stream, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true })
        .then((mail) => {
          if (stream.sizeExceeded) throw smtpError(552, 'Message exceeds fixed maximum message size');
          const message = toStoredMessage(mail, session, receivedAt);
          record(message);
          log?.info(`SMTP mail from ${message.from ?? '<>'} to ${message.to} accepted as ${message.id}`);
          return message.id;
        })
        .then(
          (id) => callback(null, `Ok: queued as ${id}`),
          (error: Error & { responseCode?: number }) => {
            if (!error.responseCode) log?.warn(`SMTP mail could not be recorded: ${error.message}`);
            const fail = () =>
              callback(error.responseCode ? error : smtpError(451, 'Local error in processing, try again later'));
            // The parser may stop reading early; the rest of the DATA must be consumed before the reply.
            if (stream.readableEnded) return fail();
            stream.once('end', fail);
            stream.resume();
          },
        );
    },
  });
  // Socket errors of single connections land here; without a listener they would crash the sandbox.
  server.on('error', (error) => log?.warn(`SMTP server error: ${error.message}`));

  return {
    listen(port = 0, host = '127.0.0.1') {
      return new Promise<number>((resolve, reject) => {
        const onError = (error: Error) => reject(error);
        server.server.once('error', onError);
        server.listen(port, host, () => {
          server.server.off('error', onError);
          resolve((server.server.address() as AddressInfo).port);
        });
      });
    },

    close() {
      for (const [timer, answer] of held) {
        clearTimeout(timer);
        answer();
      }
      held.clear();
      if (!server.server.listening) return Promise.resolve();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Pooled clients keep idle connections open; without this, close() would wait out smtp-server's 30 s.
        for (const connection of server.connections) connection.send(421, 'Server shutting down');
      });
    },
  };
}
