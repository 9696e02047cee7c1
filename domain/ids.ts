/**
 * Message ids in Courier's shape, `1-<8 hex unix seconds>-<24 hex>`, so clients that parse or display them keep
 * working. Pure: the caller supplies the clock and 12 random bytes (as hex), which keeps this usable anywhere.
 */
export function formatMessageId(nowMs: number, randomHex24: string): string {
  if (!/^[0-9a-f]{24}$/.test(randomHex24)) throw new Error('formatMessageId needs 24 lowercase hex characters');
  const seconds = Math.floor(nowMs / 1000)
    .toString(16)
    .padStart(8, '0');
  return `1-${seconds}-${randomHex24}`;
}

export function isMessageId(value: string): boolean {
  return /^1-[0-9a-f]{8}-[0-9a-f]{24}$/.test(value);
}
