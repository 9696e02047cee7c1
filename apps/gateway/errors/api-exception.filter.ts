import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Logger } from '../../common/logger';
import { ApiError, type ApiErrorType } from './api-error';

interface Answer {
  status: number;
  message: string;
  type: ApiErrorType;
  headers: Record<string, string>;
}

/** Every error leaves the API as `{message, type}` JSON (never HTML), so each Courier SDK can read it. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  constructor(private readonly log: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const answer = this.toAnswer(exception);
    if (answer.status >= 500) this.log.error({ err: exception }, 'request failed');
    // Some refusals answer with a resource instead of the error shape (a 409 cancel returns the message).
    const resource = exception instanceof ApiError ? exception.body : undefined;
    const body = resource ?? { message: answer.message, type: answer.type };
    void reply.status(answer.status).headers(answer.headers).type('application/json').send(JSON.stringify(body));
  }

  private toAnswer(exception: unknown): Answer {
    if (exception instanceof ApiError) {
      return { status: exception.status, message: exception.message, type: exception.type, headers: exception.headers };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return { status, message: exception.message, type: typeFor(status), headers: {} };
    }
    // Fastify's own errors (malformed JSON, body too large, wrong content type) carry a statusCode.
    const statusCode = (exception as { statusCode?: unknown })?.statusCode;
    if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
      return { status: statusCode, message: (exception as Error).message, type: typeFor(statusCode), headers: {} };
    }
    return { status: 500, message: 'Internal server error', type: 'api_error', headers: {} };
  }
}

function typeFor(status: number): ApiErrorType {
  if (status === 401) return 'authentication_error';
  return status >= 500 ? 'api_error' : 'invalid_request_error';
}
