import type { FastifyInstance } from 'fastify';

/** Form params as Twilio sends them: a key repeated on the wire (`MediaUrl=a&MediaUrl=b`) becomes an array. */
export type FormParams = Record<string, string | string[]>;

/**
 * Stands in for a body that claimed to be JSON but was not. Parsing never fails at the framework level, so
 * each provider can answer a bad body in its own error shape (and the request still gets recorded).
 */
export class InvalidJson {
  constructor(readonly raw: string) {}
  toJSON(): unknown {
    return { invalidJson: this.raw };
  }
}

export function parseForm(raw: string): FormParams {
  const params: FormParams = {};
  const search = new URLSearchParams(raw);
  for (const name of new Set(search.keys())) {
    const values = search.getAll(name);
    params[name] = values.length === 1 ? values[0]! : values;
  }
  return params;
}

export function registerBodyParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, raw, done) => {
    const text = String(raw);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(null, new InvalidJson(text));
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, raw, done) =>
    done(null, parseForm(String(raw))),
  );
  // Lenient on anything else: keep the text so it shows up in the request log.
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, raw, done) => done(null, String(raw)));
}

/** The first value of a form field (Twilio keeps the first when a scalar field is repeated). */
export function first(params: FormParams, name: string): string | undefined {
  const value = params[name];
  return Array.isArray(value) ? value[0] : value;
}

export function all(params: FormParams, name: string): string[] {
  const value = params[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
