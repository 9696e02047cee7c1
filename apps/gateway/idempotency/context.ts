import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import type { IdempotencyClaim } from '../../../db/idempotency';
import { formatMessageId } from '../../../domain/ids';

const current = new AsyncLocalStorage<IdempotencyClaim>();

/** Runs the rest of the request (the Nest handler included) with its `Idempotency-Key` claim in scope. */
export function runWithIdempotencyClaim(claim: IdempotencyClaim, next: () => void): void {
  current.run(claim, next);
}

/** Runs the rest of a request that holds no claim outside any claim's scope, whatever context it arrived in. */
export function runWithoutIdempotencyClaim(next: () => void): void {
  current.exit(next);
}

/** The claim of the request being handled, when it came with an `Idempotency-Key`. */
export function currentIdempotencyClaim(): IdempotencyClaim | undefined {
  return current.getStore();
}

/**
 * The message id (= workflow id) of a send under an `Idempotency-Key`: the seconds of the key's first request and
 * 24 hex of a hash of the key (itself a hash of API key + Idempotency-Key). Every request holding this key's claim,
 * even one that took an abandoned claim over, derives the same id, so Temporal refuses a second start. A key
 * reused after it lapsed gets a new `created`, hence a new message.
 */
export function idempotentMessageId(claim: IdempotencyClaim): string {
  const hex = createHash('sha256').update(`herald-message-id:${claim.keyHash}`).digest('hex').slice(0, 24);
  return formatMessageId(claim.created, hex);
}
