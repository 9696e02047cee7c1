import type { ZodError } from 'zod';
import { BadRequest } from './api-error';

/** One readable sentence for the first problem, naming the field, e.g. `message.to.email: must be an email`. */
export function badRequestFromZod(error: ZodError): BadRequest {
  const issue = error.issues[0];
  const path = issue.path.join('.');
  return new BadRequest(path ? `${path}: ${issue.message}` : issue.message);
}
