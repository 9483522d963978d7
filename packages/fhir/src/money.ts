import { CURRENCY_EXPONENTS, type Currency } from "@careledger/protocol";
import type { Money } from "fhir/r4.js";
import { invariant } from "./invariant.js";

/**
 * An amount in integer minor units as R4 Money `{value, currency}` (NOTES.md 2.3): the decimal
 * is written from the integer's digits with the currency's ISO 4217 exponent (USD 2, JPY 0,
 * BHD 3), never computed through a binary float. FHIR JSON carries a decimal as a JSON number;
 * for amounts of at most 15 significant digits (every amount the claims payloads allow, in any
 * exponent) that number prints back as exactly these digits, which this asserts.
 */
export function money(minorUnits: number, currency: Currency): Money {
  invariant(Number.isSafeInteger(minorUnits), `amount ${minorUnits} is not a safe integer`);
  const exponent = CURRENCY_EXPONENTS[currency];
  const text = decimalText(minorUnits, exponent);
  const value = Number(text);
  invariant(
    String(value) === trimZeros(text),
    `amount ${text} ${currency} does not survive as a JSON number`,
  );
  return { value, currency };
}

/** `minorUnits / 10^exponent` as decimal text, by digits: 116000 with exponent 2 is "1160.00". */
export function decimalText(minorUnits: number, exponent: number): string {
  const sign = minorUnits < 0 ? "-" : "";
  const digits = String(Math.abs(minorUnits)).padStart(exponent + 1, "0");
  if (exponent === 0) return `${sign}${digits}`;
  return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/** "1160.00" -> "1160", "0.50" -> "0.5": how JavaScript prints the number the text names. */
function trimZeros(text: string): string {
  if (!text.includes(".")) return text === "-0" ? "0" : text;
  const trimmed = text.replace(/0+$/, "").replace(/\.$/, "");
  return trimmed === "-0" ? "0" : trimmed;
}
