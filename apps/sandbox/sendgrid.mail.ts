import { InvalidJson } from './body-parsers';

export interface SendGridFieldError {
  message: string;
  field: string | null;
  help: null;
}

type Json = Record<string, unknown>;

const MAX_PERSONALIZATIONS = 1000;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isEmail(value: unknown): value is string {
  return typeof value === 'string' && /^[^\s@]+@[^\s@]+$/.test(value);
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/**
 * The Mail Send checks the SDK cannot catch for us (providers.md §2.2). SendGrid reports every problem at once,
 * so this collects them all rather than stopping at the first.
 */
export function validateMail(body: unknown): SendGridFieldError[] {
  const error = (message: string, field: string | null): SendGridFieldError => ({ message, field, help: null });
  if (body instanceof InvalidJson || !isObject(body)) return [error('Bad Request', null)];

  const errors: SendGridFieldError[] = [];
  const personalizations = body.personalizations;
  if (!Array.isArray(personalizations) || personalizations.length === 0) {
    errors.push(
      error('The personalizations field is required and must have at least one personalization.', 'personalizations'),
    );
  } else if (personalizations.length > MAX_PERSONALIZATIONS) {
    errors.push(
      error('The personalizations field must not contain more than 1000 personalizations.', 'personalizations'),
    );
  } else {
    personalizations.forEach((p, i) => {
      const to = isObject(p) ? p.to : undefined;
      if (!Array.isArray(to) || to.length === 0) {
        errors.push(
          error(
            'The to array is required for all personalization objects, and must have at least one email object with a valid email address.',
            `personalizations.${i}.to`,
          ),
        );
        return;
      }
      to.forEach((address, j) => {
        if (!isObject(address) || !isEmail(address.email)) {
          errors.push(error('Does not contain a valid address.', `personalizations.${i}.to.${j}.email`));
        }
      });
    });
  }

  const from = isObject(body.from) ? body.from : undefined;
  if (!from || from.email === undefined) {
    errors.push(
      error(
        'The from object must be provided for every email send. It is an object that requires the email parameter, but may also contain a name parameter.',
        'from.email',
      ),
    );
  } else if (!isEmail(from.email)) {
    errors.push(error('The from email does not contain a valid address.', 'from.email'));
  }

  const hasTemplate = nonEmptyString(body.template_id);
  const everyPersonalizationHasSubject =
    Array.isArray(personalizations) &&
    personalizations.length > 0 &&
    personalizations.every((p) => isObject(p) && nonEmptyString(p.subject));
  if (!hasTemplate && !nonEmptyString(body.subject) && !everyPersonalizationHasSubject) {
    errors.push(
      error(
        'The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.',
        'subject',
      ),
    );
  }

  if (!hasTemplate) {
    const content = body.content;
    if (!Array.isArray(content) || content.length === 0) {
      errors.push(
        error(
          'Unless a valid template_id is provided, the content parameter is required. There must be at least one defined content block.',
          'content',
        ),
      );
    } else {
      content.forEach((block, i) => {
        if (!isObject(block) || !nonEmptyString(block.type))
          errors.push(error('The content type is required.', `content.${i}.type`));
        else if (!nonEmptyString(block.value))
          errors.push(
            error('The content value must be a string at least one character in length.', `content.${i}.value`),
          );
      });
    }
  }
  return errors;
}

export function isSandboxMode(body: Json): boolean {
  const settings = isObject(body.mail_settings) ? body.mail_settings : {};
  const sandbox = isObject(settings.sandbox_mode) ? settings.sandbox_mode : {};
  // The API wants a real boolean; the string "true" does not switch sandbox mode on.
  return sandbox.enable === true;
}

function emails(value: unknown): string[] {
  return list(value).flatMap((a) => (isObject(a) && typeof a.email === 'string' ? [a.email] : []));
}

function contentOf(body: Json, type: string): string | undefined {
  const block = list(body.content).find((c) => isObject(c) && c.type === type);
  return isObject(block) && typeof block.value === 'string' ? block.value : undefined;
}

/** The fields `GET /sandbox/messages` shows for an accepted (already validated) mail. */
export function summarizeMail(body: Json) {
  const personalizations = list(body.personalizations).filter(isObject);
  const to = personalizations.flatMap((p) => emails(p.to));
  const subject = nonEmptyString(body.subject)
    ? body.subject
    : personalizations.map((p) => p.subject).find(nonEmptyString);
  return {
    to,
    recipients: personalizations.flatMap((p) => [...emails(p.to), ...emails(p.cc), ...emails(p.bcc)]),
    from: isObject(body.from) && typeof body.from.email === 'string' ? body.from.email : null,
    subject,
    text: contentOf(body, 'text/plain'),
    html: contentOf(body, 'text/html'),
  };
}
