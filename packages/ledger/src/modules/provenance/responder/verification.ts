import { parseGs1Date, sameExpiry } from "@careledger/gs1";
import type { PackStatusView } from "@careledger/protocol";

/**
 * The DSCSA verification answer (NOTES.md 4.1, the GS1 Lightweight Messaging Standard as the
 * GS1 US guideline release 1.3 profiles it) of a pack's public status, row by row of the
 * mapping table there.
 */

/** `verificationFailureReason` codes, as release 1.3 spells them. */
export type VerificationFailureReason =
  | "No_match_GTIN_Serial"
  | "No_match_GTIN_Serial_Lot"
  | "No_match_GTIN_Serial_Expiry"
  | "No_match_GTIN_Serial_Lot_Expiry";
/** `additionalInfo` codes we answer. */
export type AdditionalInfo = "Recalled" | "Suspect" | "Expired";

export interface VerificationData {
  readonly verified: boolean;
  readonly verificationFailureReason?: VerificationFailureReason;
  readonly additionalInfo?: AdditionalInfo;
}

/** What the requester read off the pack: GTIN and serial always, lot and expiry as sent. */
export interface VerificationRequest {
  readonly gtin: string;
  readonly serial: string;
  readonly lot?: string;
  readonly expiry?: string;
}

/**
 * The answer for a pack (null: the GTIN is known, the serial is not), at `atMs` (the head's
 * time, which reads the AI 17 centuries of both expiries alike, day 00 as month end):
 * - no such serial: `No_match_GTIN_Serial`, and nothing else is compared;
 * - the lot, the expiry or both differ: the `No_match_*` code naming exactly what differs (not
 *   QU4RTET's `_Lot` for an expiry that differs);
 * - a match: verified, with `Recalled`, else `Suspect`, else `Expired` when one holds. A suspect
 *   pack is verified with `Suspect`, LSPedia's published reading, rather than refused by policy
 *   with `Not_for_re-distribution`: the identifier is genuine, the investigation is the news.
 *   Dispensed and decommissioned packs have no standard code: the status field says it.
 */
export function verificationOf(
  request: VerificationRequest,
  pack: PackStatusView | null,
  atMs: number,
): VerificationData {
  if (pack === null) return { verified: false, verificationFailureReason: "No_match_GTIN_Serial" };
  const lotDiffers = request.lot !== undefined && request.lot !== pack.lot;
  const expiryDiffers = request.expiry !== undefined && !sameDay(request.expiry, pack.expiry, atMs);
  if (lotDiffers && expiryDiffers) {
    return { verified: false, verificationFailureReason: "No_match_GTIN_Serial_Lot_Expiry" };
  }
  if (lotDiffers) return { verified: false, verificationFailureReason: "No_match_GTIN_Serial_Lot" };
  if (expiryDiffers) {
    return { verified: false, verificationFailureReason: "No_match_GTIN_Serial_Expiry" };
  }
  const additionalInfo: AdditionalInfo | undefined = pack.recalled
    ? "Recalled"
    : pack.suspect
      ? "Suspect"
      : pack.expired
        ? "Expired"
        : undefined;
  return { verified: true, ...(additionalInfo !== undefined && { additionalInfo }) };
}

function sameDay(requested: string, commissioned: string, atMs: number): boolean {
  const a = parseGs1Date(requested, "17", atMs);
  const b = parseGs1Date(commissioned, "17", atMs);
  // The parser linted the request's date and the ledger the commissioned one.
  if (!a.ok || !b.ok)
    throw new Error(`an AI 17 date does not parse: ${requested}, ${commissioned}`);
  return sameExpiry(a.value, b.value);
}
