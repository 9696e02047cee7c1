/** Errors the API answers with, in Courier's error shape `{message, type}` (api-contract §1.3). */
export type ApiErrorType = 'invalid_request_error' | 'authentication_error' | 'api_error';

/** Thrown when a request is refused; the filter turns it into the HTTP answer. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: ApiErrorType = 'invalid_request_error',
    readonly headers: Record<string, string> = {},
    /** Sent instead of `{message, type}` where Courier answers with a resource (a 409 cancel sends the message). */
    readonly body?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Thrown when the request body or parameters are invalid. */
export class BadRequest extends ApiError {
  constructor(message: string) {
    super(400, message);
  }
}

/** Thrown when the resource does not exist. */
export class NotFound extends ApiError {
  constructor(message = 'Not Found') {
    super(404, message);
  }
}
