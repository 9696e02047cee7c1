/**
 * A small client for FCM HTTP v1 (`POST /v1/projects/{projectId}/messages:send`, providers.md §4.1) over the
 * global `fetch`. `firebase-admin` hard-codes Google's host, so Herald talks to the endpoint itself: the base URL
 * and the access-token source are injectable, which is what lets tests and `npm start` use the provider sandbox.
 */
import { GoogleAuth, JWT, type JWTOptions } from 'google-auth-library';

export const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
export const FCM_DEFAULT_BASE_URL = 'https://fcm.googleapis.com';
const FCM_ERROR_TYPE = 'type.googleapis.com/google.firebase.fcm.v1.FcmError';

export interface FcmClientOptions {
  projectId: string;
  /** Scheme, host and optional path prefix, e.g. `http://127.0.0.1:4010/fcm` for the sandbox. */
  baseUrl?: string;
  /** An OAuth 2 access token with the `firebase.messaging` scope; called for every request (cache inside). */
  getAccessToken: () => Promise<string>;
  /** Per request, covering connect, response and body. */
  timeoutMs?: number;
}

/** An FCM v1 `Message` (token/topic/condition, notification, data, android, apns, webpush, fcm_options). */
export type FcmMessage = Record<string, unknown>;

export type FcmSendResult =
  | { ok: true; name: string }
  | {
      ok: false;
      httpStatus: number;
      /** google.rpc status, e.g. `NOT_FOUND`, `UNAUTHENTICATED`; absent when the body was not Google's error shape. */
      status?: string;
      /** From the `google.firebase.fcm.v1.FcmError` detail, e.g. `UNREGISTERED`, `QUOTA_EXCEEDED`. */
      fcmErrorCode?: string;
      /** Google's human-readable `error.message`. */
      message?: string;
      /** The raw `Retry-After` header (seconds or an HTTP date), on 429/503. */
      retryAfter?: string;
    };

export interface FcmClient {
  readonly projectId: string;
  /** Resolves with FCM's answer; rejects only when there is none (see `FcmAuthError`, `FcmTransportError`). */
  send(message: FcmMessage, options?: { validateOnly?: boolean }): Promise<FcmSendResult>;
}

/**
 * The access token could not be obtained. `httpStatus` is the token endpoint's answer when there was one;
 * `permanent` when retrying cannot help (the key was refused, or the token source gave nothing).
 */
export class FcmAuthError extends Error {
  override readonly name = 'FcmAuthError';
  constructor(
    message: string,
    readonly httpStatus: number | undefined,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

/** No HTTP answer from FCM: connection refused or reset, DNS failure, or the timeout. */
export class FcmTransportError extends Error {
  override readonly name = 'FcmTransportError';
  constructor(
    message: string,
    readonly timedOut: boolean,
  ) {
    super(message);
  }
}

interface GoogleRpcError {
  error?: {
    code?: number;
    message?: string;
    status?: string;
    details?: Array<{ '@type'?: string; errorCode?: string }>;
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The HTTP status on a token-endpoint error (gaxios puts it on `status` and `response.status`). */
function statusOf(error: unknown): number | undefined {
  if (!isObject(error)) return undefined;
  if (typeof error.status === 'number') return error.status;
  const response = error.response;
  return isObject(response) && typeof response.status === 'number' ? response.status : undefined;
}

function parseError(httpStatus: number, body: unknown, retryAfter: string | null): FcmSendResult {
  const rpc = isObject(body) ? (body as GoogleRpcError).error : undefined;
  const details = Array.isArray(rpc?.details) ? rpc.details : [];
  const fcm = details.find((d) => isObject(d) && d['@type'] === FCM_ERROR_TYPE);
  return {
    ok: false,
    httpStatus,
    ...(typeof rpc?.status === 'string' ? { status: rpc.status } : {}),
    ...(typeof fcm?.errorCode === 'string' ? { fcmErrorCode: fcm.errorCode } : {}),
    ...(typeof rpc?.message === 'string' ? { message: rpc.message } : {}),
    ...(retryAfter ? { retryAfter } : {}),
  };
}

export function createFcmClient(options: FcmClientOptions): FcmClient {
  const { projectId, getAccessToken, timeoutMs = 10_000 } = options;
  if (!projectId) throw new Error('FCM needs a project id');
  const base = (options.baseUrl ?? FCM_DEFAULT_BASE_URL).replace(/\/+$/, '');
  const url = `${base}/v1/projects/${encodeURIComponent(projectId)}/messages:send`;

  async function accessToken(): Promise<string> {
    let token: string;
    try {
      token = await getAccessToken();
    } catch (error) {
      const status = statusOf(error);
      // invalid_grant / invalid key answers are 400/401/403; a 5xx, 429 or no answer may pass.
      const permanent = status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429;
      throw new FcmAuthError(`could not obtain an FCM access token: ${errorMessage(error)}`, status, permanent);
    }
    if (typeof token !== 'string' || token.trim() === '') {
      throw new FcmAuthError('the FCM access token source returned nothing', undefined, true);
    }
    return token;
  }

  return {
    projectId,

    async send(message, sendOptions = {}) {
      const token = await accessToken();
      const signal = AbortSignal.timeout(timeoutMs);
      let response: Response;
      let text: string;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers: {
            Authorization: `Bearer ${token}`,
            'Content-Type': 'application/json; charset=UTF-8',
            Accept: 'application/json',
          },
          body: JSON.stringify({ message, ...(sendOptions.validateOnly ? { validate_only: true } : {}) }),
          signal,
        });
        text = await response.text();
      } catch (error) {
        // undici hides the reason in `cause` ("fetch failed" ← ECONNREFUSED); neither carries the headers.
        const timedOut = signal.aborted;
        const cause = isObject(error) && error.cause instanceof Error ? `: ${error.cause.message}` : '';
        throw new FcmTransportError(
          timedOut ? `no answer from FCM within ${timeoutMs} ms` : `${errorMessage(error)}${cause}`,
          timedOut,
        );
      }

      let body: unknown;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        body = undefined; // an HTML error page from a proxy: the HTTP status is all there is
      }
      if (response.ok) {
        const name = isObject(body) ? body.name : undefined;
        if (typeof name === 'string' && name !== '') return { ok: true, name };
        return { ok: false, httpStatus: response.status, message: 'FCM answered without a message name' };
      }
      return parseError(response.status, body, response.headers.get('retry-after'));
    },
  };
}

interface ServiceAccountKey {
  type?: unknown;
  client_email?: unknown;
  private_key?: unknown;
  private_key_id?: unknown;
}

/**
 * Production access tokens from a service-account key (the JSON file downloaded from the Firebase console, passed
 * as its text). Only `type: service_account` keys are accepted: google-auth-library warns that other credential
 * configurations (external accounts) can make it run commands or call URLs named in the file.
 *
 * The JWT client caches the token and refreshes it shortly before it expires, so calling this per send is cheap.
 * `clientOptions` is for tests (e.g. `transporterOptions.fetchImplementation`); production passes nothing.
 */
export function googleAccessTokenProvider(
  serviceAccountJson: string,
  clientOptions: Pick<JWTOptions, 'transporterOptions'> = {},
): () => Promise<string> {
  let key: ServiceAccountKey;
  try {
    key = JSON.parse(serviceAccountJson) as ServiceAccountKey;
  } catch {
    // Do not echo the text: it holds a private key.
    throw new Error('FCM service account: the value is not valid JSON');
  }
  if (!isObject(key) || key.type !== 'service_account') {
    throw new Error('FCM service account: expected a key file with "type": "service_account"');
  }
  if (typeof key.client_email !== 'string' || typeof key.private_key !== 'string') {
    throw new Error('FCM service account: client_email and private_key are required');
  }
  const client = new JWT({
    email: key.client_email,
    key: key.private_key,
    keyId: typeof key.private_key_id === 'string' ? key.private_key_id : undefined,
    scopes: [FCM_SCOPE],
    ...clientOptions,
  });
  return async () => {
    const { token } = await client.getAccessToken();
    if (!token) throw new Error('Google returned no access token');
    return token;
  };
}

/**
 * Production access tokens from Application Default Credentials: the key file named by
 * `GOOGLE_APPLICATION_CREDENTIALS`, or the attached service account on Google Cloud (metadata server).
 */
export function googleApplicationDefaultAccessTokenProvider(): () => Promise<string> {
  const auth = new GoogleAuth({ scopes: [FCM_SCOPE] });
  return async () => {
    const token = await auth.getAccessToken();
    if (!token) throw new Error('Google returned no access token');
    return token;
  };
}
