import { gs1CheckDigit } from "./checkDigit.js";
import { validateLot, validateSerial } from "./cset82.js";
import { validateSscc } from "./fixedKeys.js";
import { GCP_LENGTH_MAX, GCP_LENGTH_MIN, gtin14 } from "./gtin.js";
import { fail, type Gs1Result, ok, unwrap } from "./result.js";

/**
 * EPC pure-identity and class URIs (GS1 EPC Tag Data Standard; NOTES 3.2, 4.3). The URN splits
 * the key at the GS1 Company Prefix, so every conversion takes the GCP length: it cannot be
 * read off the digits.
 */
export const SGTIN_URI_PREFIX = "urn:epc:id:sgtin:";
export const SSCC_URI_PREFIX = "urn:epc:id:sscc:";
export const LGTIN_URI_PREFIX = "urn:epc:class:lgtin:";

/** A URN is short; anything longer is refused before it is read (20 escaped chars x 3 + 40). */
export const EPC_URI_LENGTH_MAX = 100;

/**
 * The CSET 82 characters TDS requires escaped in the serial or lot component of an EPC URI
 * (its GS3A3 component), each as `%` and two upper-case hex digits.
 */
const TDS_ESCAPED = new Set(['"', "%", "&", "/", "<", ">", "?"]);

export interface SgtinParts {
  readonly gtin: string;
  readonly serial: string;
  readonly gcpLength: number;
}

export interface LgtinParts {
  readonly gtin: string;
  readonly lot: string;
  readonly gcpLength: number;
}

export interface SsccParts {
  readonly sscc: string;
  readonly gcpLength: number;
}

/** `urn:epc:id:sgtin:<CompanyPrefix>.<Indicator><ItemReference>.<Serial>`. Throws `Gs1Error`. */
export function sgtinUri(gtin: string, serial: string, gcpLength: number): string {
  const [prefix, indicatorAndItem] = splitGtin(gtin, gcpLength);
  return `${SGTIN_URI_PREFIX}${prefix}.${indicatorAndItem}.${escapeComponent(unwrap(validateSerial(serial)))}`;
}

/** `urn:epc:class:lgtin:<CompanyPrefix>.<Indicator><ItemReference>.<Lot>`. Throws `Gs1Error`. */
export function lgtinUri(gtin: string, lot: string, gcpLength: number): string {
  const [prefix, indicatorAndItem] = splitGtin(gtin, gcpLength);
  return `${LGTIN_URI_PREFIX}${prefix}.${indicatorAndItem}.${escapeComponent(unwrap(validateLot(lot)))}`;
}

/** `urn:epc:id:sscc:<CompanyPrefix>.<Extension><SerialReference>`. Throws `Gs1Error`. */
export function ssccUri(sscc: string, gcpLength: number): string {
  const valid = unwrap(validateSscc(sscc));
  assertGcpLength(gcpLength);
  return `${SSCC_URI_PREFIX}${valid.slice(1, 1 + gcpLength)}.${valid[0]}${valid.slice(1 + gcpLength, 17)}`;
}

export function parseSgtinUri(uri: string): Gs1Result<SgtinParts> {
  const parts = gtinClassParts(uri, SGTIN_URI_PREFIX);
  if (!parts.ok) return parts;
  const serial = unescapeComponent(parts.value.component);
  if (serial === null) return malformed("the serial has an escape TDS does not allow");
  const valid = validateSerial(serial);
  if (!valid.ok) return valid;
  return ok({ gtin: parts.value.gtin, serial, gcpLength: parts.value.gcpLength });
}

export function parseLgtinUri(uri: string): Gs1Result<LgtinParts> {
  const parts = gtinClassParts(uri, LGTIN_URI_PREFIX);
  if (!parts.ok) return parts;
  const lot = unescapeComponent(parts.value.component);
  if (lot === null) return malformed("the lot has an escape TDS does not allow");
  const valid = validateLot(lot);
  if (!valid.ok) return valid;
  return ok({ gtin: parts.value.gtin, lot, gcpLength: parts.value.gcpLength });
}

export function parseSsccUri(uri: string): Gs1Result<SsccParts> {
  if (uri.length > EPC_URI_LENGTH_MAX) return malformed("longer than any SSCC URI");
  if (!uri.startsWith(SSCC_URI_PREFIX)) return malformed(`does not start with ${SSCC_URI_PREFIX}`);
  const match = /^([0-9]+)\.([0-9]+)$/.exec(uri.slice(SSCC_URI_PREFIX.length));
  if (match === null)
    return malformed("an SSCC URI is <CompanyPrefix>.<Extension><SerialReference>");
  const [, prefix = "", rest = ""] = match;
  if (!gcpLengthOk(prefix.length)) return malformed("the company prefix is not 6-12 digits");
  if (prefix.length + rest.length !== 17)
    return malformed("prefix and serial reference are not 17 digits");
  const data = `${rest[0]}${prefix}${rest.slice(1)}`;
  return ok({ sscc: data + gs1CheckDigit(data), gcpLength: prefix.length });
}

function splitGtin(gtin: string, gcpLength: number): [string, string] {
  const valid = unwrap(gtin14(gtin));
  if (valid !== gtin)
    throw new RangeError(`"${gtin}" is not a GTIN-14: normalise it with gtin14 first`);
  assertGcpLength(gcpLength);
  return [valid.slice(1, 1 + gcpLength), valid[0] + valid.slice(1 + gcpLength, 13)];
}

function gtinClassParts(
  uri: string,
  scheme: string,
): Gs1Result<{ gtin: string; component: string; gcpLength: number }> {
  if (uri.length > EPC_URI_LENGTH_MAX) return malformed("longer than any EPC URI of this scheme");
  if (!uri.startsWith(scheme)) return malformed(`does not start with ${scheme}`);
  const match = /^([0-9]+)\.([0-9]+)\.(.+)$/.exec(uri.slice(scheme.length));
  if (match === null)
    return malformed("expected <CompanyPrefix>.<Indicator><ItemReference>.<value>");
  const [, prefix = "", indicatorAndItem = "", component = ""] = match;
  if (!gcpLengthOk(prefix.length)) return malformed("the company prefix is not 6-12 digits");
  if (prefix.length + indicatorAndItem.length !== 13) {
    return malformed("company prefix, indicator and item reference are not 13 digits");
  }
  const data = `${indicatorAndItem[0]}${prefix}${indicatorAndItem.slice(1)}`;
  return ok({ gtin: data + gs1CheckDigit(data), component, gcpLength: prefix.length });
}

function escapeComponent(value: string): string {
  let out = "";
  for (const char of value) {
    out += TDS_ESCAPED.has(char) ? `%${char.charCodeAt(0).toString(16).toUpperCase()}` : char;
  }
  return out;
}

/** Null when a character TDS requires escaped stands bare, or an escape is not one of TDS's. */
function unescapeComponent(component: string): string | null {
  let out = "";
  for (let at = 0; at < component.length; at++) {
    const char = component.charAt(at);
    if (char !== "%") {
      if (TDS_ESCAPED.has(char)) return null;
      out += char;
      continue;
    }
    const hex = component.slice(at + 1, at + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return null;
    const decoded = String.fromCharCode(Number.parseInt(hex, 16));
    if (!TDS_ESCAPED.has(decoded)) return null;
    out += decoded;
    at += 2;
  }
  return out;
}

function gcpLengthOk(length: number): boolean {
  return Number.isInteger(length) && length >= GCP_LENGTH_MIN && length <= GCP_LENGTH_MAX;
}

function assertGcpLength(gcpLength: number): void {
  if (!gcpLengthOk(gcpLength)) throw new RangeError(`GCP length ${gcpLength} is not 6-12`);
}

function malformed<T>(message: string): Gs1Result<T> {
  return fail("EPC_URI_MALFORMED", `EPC URI: ${message}`);
}
