/**
 * The GS1 standard check digit (General Specifications, "Standard check digit calculations"):
 * the data digits, from the right, weighted 3, 1, 3, 1, ... (the rightmost data digit gets 3),
 * summed; the check digit brings the sum to a multiple of ten. One algorithm for GTIN-8/12/13/14,
 * GLN, SSCC and GSRN (NOTES 3.1).
 */
export function gs1CheckDigit(dataDigits: string): number {
  if (!/^[0-9]+$/.test(dataDigits)) {
    throw new RangeError("gs1CheckDigit: the data must be one or more digits");
  }
  let sum = 0;
  for (let fromRight = 0; fromRight < dataDigits.length; fromRight++) {
    const digit = dataDigits.charCodeAt(dataDigits.length - 1 - fromRight) - 48;
    sum += fromRight % 2 === 0 ? digit * 3 : digit;
  }
  return (10 - (sum % 10)) % 10;
}

/** Whether `code` (all digits, check digit last, at least two digits) has the right check digit. */
export function hasValidCheckDigit(code: string): boolean {
  if (!/^[0-9]{2,}$/.test(code)) return false;
  return gs1CheckDigit(code.slice(0, -1)) === code.charCodeAt(code.length - 1) - 48;
}
