import assert from "node:assert/strict";
import { BASIS_POINTS_MAX } from "@careledger/protocol";

/**
 * Integer money of the claims module: amounts are safe integers in the plan currency's minor
 * units. Products that can pass 2^53 (a unit amount times a quantity, an amount times basis
 * points) are formed as bigints and come back as numbers only once they are known to be safe.
 */

/** `a x b` of two safe integers, exactly, as a bigint. */
export function product(a: number, b: number): bigint {
  return BigInt(a) * BigInt(b);
}

/** The smaller of a number and a bigint product, as a number (the number bounds it). */
export function minOf(amount: number, bound: bigint): number {
  return bound < BigInt(amount) ? Number(bound) : amount;
}

/**
 * `amount x basisPoints / 10,000`, rounded half up to the minor unit: the member's coinsurance
 * share. Half up is our rule (NOTES.md 2.3: the standards fix none); an exact half (a remainder
 * of 5,000 ten-thousandths) goes to the member, so 12.5 minor units is 13.
 */
export function basisPointsOf(amount: number, basisPoints: number): number {
  assert.ok(Number.isSafeInteger(amount) && amount >= 0, `amount ${amount} is not >= 0`);
  assert.ok(
    Number.isInteger(basisPoints) && basisPoints >= 0 && basisPoints <= BASIS_POINTS_MAX,
    `basis points ${basisPoints} out of range`,
  );
  const share = (product(amount, basisPoints) + 5_000n) / 10_000n;
  return Number(share);
}

/** A sum of safe integers, asserted to stay safe (the payload bounds keep every sum below 2^53). */
export function sum(...amounts: readonly number[]): number {
  let total = 0;
  for (const amount of amounts) total += amount;
  assert.ok(Number.isSafeInteger(total), `a sum of amounts passed 2^53: ${total}`);
  return total;
}
