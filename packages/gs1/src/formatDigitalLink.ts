import { cset82Value, validateLot, validateSerial } from "./cset82.js";
import { GS1_RESOLVER, type GtinLinkFields } from "./digitalLink.js";
import { lintYymmdd } from "./gs1Date.js";
import { isGtin14 } from "./gtin.js";
import { percentEncode } from "./percentEncoding.js";
import { Gs1Error, lintFail, unwrap } from "./result.js";
import { LINK_TYPE_LENGTH_MAX } from "./vrsParameters.js";

const CPV_LENGTH_MAX = 20;
/** A stem: http(s), a domain, an optional path; no query or fragment. */
const STEM =
  /^(?:https|HTTPS|http|HTTP):\/\/[A-Za-z0-9\-.:[\]]+(?:\/[A-Za-z0-9\-._~:/@!$&'()*+,;=%]*)?$/;

/**
 * The canonical Digital Link of a GTIN (NOTES 0.1 and 3.3): key qualifiers in the path in the
 * order 22, 10, 21, the expiry in the query, `/01/{gtin14}/10/{lot}/21/{serial}?17={YYMMDD}`,
 * then `linkType` if asked. Path values are percent-encoded (all but unreserved characters).
 * Throws `Gs1Error` for a field that does not validate and `RangeError` for a bad stem: the
 * caller validated them, and a link this writes always parses back to the same fields.
 */
export function formatDigitalLink(fields: GtinLinkFields, base: string = GS1_RESOLVER): string {
  if (!STEM.test(base)) throw new RangeError(`"${base}" is not an http(s) stem without query`);
  const stem = base.endsWith("/") ? base.slice(0, -1) : base;
  if (!isGtin14(fields.gtin)) {
    throw new Gs1Error({
      code: "AI_LINTER_ERROR",
      message: "formatDigitalLink: the GTIN is not a valid GTIN-14",
      ai: "01",
    });
  }
  let uri = `${stem}/01/${fields.gtin}`;
  if (fields.cpv !== undefined)
    uri += `/22/${encoded(unwrap(cset82Value(fields.cpv, "22", CPV_LENGTH_MAX)))}`;
  if (fields.lot !== undefined) uri += `/10/${encoded(unwrap(validateLot(fields.lot)))}`;
  if (fields.serial !== undefined) uri += `/21/${encoded(unwrap(validateSerial(fields.serial)))}`;
  const query: string[] = [];
  if (fields.expiry !== undefined) {
    const linted = lintYymmdd(fields.expiry, true, undefined);
    if ("linter" in linted) unwrap(lintFail("17", linted.linter, "the expiry is not YYMMDD"));
    query.push(`17=${fields.expiry}`);
  }
  if (fields.linkType !== undefined) {
    if (fields.linkType === "" || fields.linkType.length > LINK_TYPE_LENGTH_MAX) {
      throw new RangeError(`linkType must be 1-${LINK_TYPE_LENGTH_MAX} characters`);
    }
    query.push(`linkType=${percentEncode(fields.linkType, "query")}`);
  }
  return query.length === 0 ? uri : `${uri}?${query.join("&")}`;
}

function encoded(value: string): string {
  return percentEncode(value, "path");
}
