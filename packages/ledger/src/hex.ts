/**
 * Lowercase hex through Buffer: the same text as protocol's `toHex`, but built natively as one
 * flat string. noble's `+=` loop builds a rope that V8 flattens (copies) at its first Map or Set
 * lookup, and ids and keys are looked up several times per transaction.
 */
export function hexOf(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}
