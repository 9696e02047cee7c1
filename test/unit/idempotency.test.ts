import { openDatabase, type HeraldDatabase } from '../../db/database';
import {
  createIdempotencyStore,
  DEFAULT_RETENTION_MS,
  idempotencyKeyHash,
  MAX_RETENTION_MS,
  parseExpirationHeader,
  requestFingerprint,
  retentionFor,
  type IdempotencyStore,
} from '../../db/idempotency';
import { migrateToLatest } from '../../db/migrations';
import { idempotentMessageId } from '../../apps/gateway/idempotency/context';
import { isMessageId } from '../../domain/ids';

/** The `Idempotency-Key` store on in-memory SQLite with the real migrations, on a clock the test moves. */
describe('idempotency store', () => {
  let database: HeraldDatabase;
  let store: IdempotencyStore;
  let clock = 1_700_000_000_000;
  const leaseMs = 60_000;

  beforeEach(async () => {
    clock = 1_700_000_000_000;
    database = openDatabase({ sqlitePath: ':memory:' });
    await migrateToLatest(database.db);
    store = createIdempotencyStore(database, { now: () => clock, leaseMs });
  });
  afterEach(() => database.close());

  const keyHash = idempotencyKeyHash('api-key-1', 'k1');
  const fingerprint = requestFingerprint('POST', '/send', Buffer.from('{"message":{}}'));
  const request = { keyHash, fingerprint, retentionMs: DEFAULT_RETENTION_MS };

  it('hashes per API key and per request', () => {
    expect(idempotencyKeyHash('api-key-2', 'k1')).not.toBe(keyHash);
    // No ambiguity between where the API key ends and the idempotency key starts.
    expect(idempotencyKeyHash('ab', 'c')).not.toBe(idempotencyKeyHash('a', 'bc'));
    expect(requestFingerprint('post', '/send', '{"message":{}}')).toBe(fingerprint);
    expect(requestFingerprint('POST', '/send', '{"message":{"x":1}}')).not.toBe(fingerprint);
    expect(requestFingerprint('POST', '/messages/x/cancel', '{"message":{}}')).not.toBe(fingerprint);
  });

  it('claims a new key once; a second claim sees it in flight, then replays the stored answer', async () => {
    const first = await store.claim(request);
    expect(first).toMatchObject({ kind: 'claimed', claim: { keyHash, created: clock } });
    expect(await store.claim(request)).toEqual({ kind: 'in_flight' });
    if (first.kind !== 'claimed') throw new Error('unreachable');
    expect(await store.complete(first.claim, { status: 202, body: '{"requestId":"r1"}' })).toBe(true);
    clock += 1000;
    expect(await store.claim(request)).toEqual({ kind: 'done', status: 202, body: '{"requestId":"r1"}' });
  });

  it('stores 5xx answers too', async () => {
    const first = await store.claim(request);
    if (first.kind !== 'claimed') throw new Error('not claimed');
    await store.complete(first.claim, { status: 500, body: '{"message":"Internal server error"}' });
    expect(await store.claim(request)).toMatchObject({ kind: 'done', status: 500 });
  });

  it('refuses the key for a different request, in flight or done', async () => {
    const first = await store.claim(request);
    const other = { ...request, fingerprint: requestFingerprint('POST', '/send', '{}') };
    expect(await store.claim(other)).toEqual({ kind: 'mismatch' });
    if (first.kind !== 'claimed') throw new Error('not claimed');
    await store.complete(first.claim, { status: 202, body: '{}' });
    expect(await store.claim(other)).toEqual({ kind: 'mismatch' });
  });

  it('keeps keys of different API keys apart', async () => {
    await store.claim(request);
    const other = await store.claim({ ...request, keyHash: idempotencyKeyHash('api-key-2', 'k1') });
    expect(other.kind).toBe('claimed');
  });

  it('frees a released key (a 400) for the next request', async () => {
    const first = await store.claim(request);
    if (first.kind !== 'claimed') throw new Error('not claimed');
    await store.release(first.claim);
    expect((await store.claim(request)).kind).toBe('claimed');
  });

  it('treats an expired key as new, with a new created time and so a new message id', async () => {
    const first = await store.claim(request);
    if (first.kind !== 'claimed') throw new Error('not claimed');
    await store.complete(first.claim, { status: 202, body: '{"requestId":"r1"}' });
    clock += DEFAULT_RETENTION_MS; // expires is exclusive: at `expires` the key is free
    const again = await store.claim({ ...request, fingerprint: requestFingerprint('POST', '/send', '{}') });
    expect(again).toMatchObject({ kind: 'claimed', claim: { created: clock } });
    if (again.kind !== 'claimed') throw new Error('not claimed');
    expect(idempotentMessageId(again.claim)).not.toBe(idempotentMessageId(first.claim));
    // The stale holder can no longer write.
    expect(await store.complete(first.claim, { status: 202, body: 'x' })).toBe(false);
  });

  it('lets an abandoned claim be taken over after its lease, keeping created (same message id)', async () => {
    const first = await store.claim(request);
    if (first.kind !== 'claimed') throw new Error('not claimed');
    clock += leaseMs - 1;
    expect(await store.claim(request)).toEqual({ kind: 'in_flight' });
    clock += 1;
    const second = await store.claim(request);
    if (second.kind !== 'claimed') throw new Error('not taken over');
    expect(second.claim.created).toBe(first.claim.created);
    expect(idempotentMessageId(second.claim)).toBe(idempotentMessageId(first.claim));
    // Only the current holder stores (or releases).
    await store.release(first.claim);
    expect(await store.complete(first.claim, { status: 202, body: 'stale' })).toBe(false);
    expect(await store.complete(second.claim, { status: 202, body: 'fresh' })).toBe(true);
    expect(await store.claim(request)).toEqual({ kind: 'done', status: 202, body: 'fresh' });
  });

  it('gives exactly one of many concurrent claims the key', async () => {
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => store.claim(request)));
    expect(outcomes.filter((o) => o.kind === 'claimed')).toHaveLength(1);
    expect(outcomes.filter((o) => o.kind === 'in_flight')).toHaveLength(9);
  });

  it('purges lapsed keys only', async () => {
    await store.claim(request);
    await store.claim({ ...request, keyHash: idempotencyKeyHash('api-key-1', 'k2'), retentionMs: MAX_RETENTION_MS });
    clock += DEFAULT_RETENTION_MS;
    expect(await store.purgeExpired()).toBe(1);
  });

  it('derives message ids in Courier shape from the key and its first request time', () => {
    const claim = { keyHash, created: 1_700_000_000_000, expires: 0, lockedUntil: 0 };
    const id = idempotentMessageId(claim);
    expect(isMessageId(id)).toBe(true);
    expect(id.startsWith(`1-${Math.floor(1_700_000_000).toString(16)}-`)).toBe(true);
    expect(idempotentMessageId({ ...claim, lockedUntil: 5 })).toBe(id);
    expect(idempotentMessageId({ ...claim, keyHash: idempotencyKeyHash('api-key-2', 'k1') })).not.toBe(id);
  });

  it('bounds the retention to [24 h, 1 year] and parses the expiration header', () => {
    const now = 1_700_000_000_000;
    expect(retentionFor(undefined, now)).toBe(DEFAULT_RETENTION_MS);
    expect(retentionFor(now - 1000, now)).toBe(DEFAULT_RETENTION_MS);
    expect(retentionFor(now + 2 * DEFAULT_RETENTION_MS, now)).toBe(2 * DEFAULT_RETENTION_MS);
    expect(retentionFor(now + 10 * MAX_RETENTION_MS, now)).toBe(MAX_RETENTION_MS);
    expect(parseExpirationHeader(undefined)).toBeUndefined();
    expect(parseExpirationHeader(String(now))).toBe(now);
    expect(parseExpirationHeader(String(now / 1000))).toBe(now);
    expect(parseExpirationHeader('2030-01-01T00:00:00Z')).toBe(Date.parse('2030-01-01T00:00:00Z'));
    expect(parseExpirationHeader('tomorrow')).toBeNull();
  });
});
