import { type DigitalLink, parseDigitalLink } from "@careledger/gs1";
import { CareLedgerError } from "@careledger/protocol";

/** A pack's Digital Link as the responder reads it: the GTIN and serial are there. */
export type PackLink = DigitalLink & { readonly gtin: string; readonly serial: string };

/**
 * Reads the URI a request addressed (`origin` + the path and query as sent) by the Digital Link
 * rules of NOTES.md 3.3, the legacy DSCSA form included: DIGITAL_LINK_INVALID (400) with the
 * GS1 reference parser's code in `details.reason` (and the AI and linter result where there is
 * one) when it breaks one, so the requester learns what is wrong.
 */
export function packLinkOf(origin: string, url: string): PackLink {
  const parsed = parseDigitalLink(`${origin}${url}`);
  if (!parsed.ok) {
    const { code, message, ai, linter } = parsed.error;
    throw new CareLedgerError("DIGITAL_LINK_INVALID", message, {
      reason: code,
      ...(ai !== undefined && { ai }),
      ...(linter !== undefined && { linter }),
    });
  }
  const link = parsed.value;
  if (link.gtin === undefined || link.serial === undefined) {
    throw new CareLedgerError("DIGITAL_LINK_INVALID", "a pack's link names a GTIN and a serial", {
      reason: "REQUIRED_AIS_NOT_SATISFIED",
    });
  }
  return link as PackLink;
}

/** The link a QR image route was asked for: its path without the image's last segment. */
export function withoutLastSegment(url: string): string {
  const query = url.indexOf("?");
  const path = query === -1 ? url : url.slice(0, query);
  return `${path.slice(0, path.lastIndexOf("/"))}${query === -1 ? "" : url.slice(query)}`;
}
