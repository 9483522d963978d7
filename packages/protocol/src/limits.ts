/** Protocol-wide bounds. Every input is checked against one of these before it is used. */

/** Largest encoded transaction. */
export const TX_BYTES_MAX = 64 * 1024;
/** Most heights above the admitting height at which a transaction may still commit. */
export const TX_TTL_MAX = 1_000;
/** Most transactions in one block. */
export const BLOCK_TXS_MAX = 10_000;
/** Largest encoded block (header plus transactions). */
export const BLOCK_BYTES_MAX = 16 * 1024 * 1024;
/** Longest transaction type name, such as `consent.grant`. */
export const TX_TYPE_CHARS_MAX = 64;
/** Largest validator set. */
export const VALIDATORS_MAX = 128;
/** Smallest validator set: the set never shrinks below this. */
export const VALIDATORS_MIN = 4;
