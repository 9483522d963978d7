import { formatDigitalLink, GS1_RESOLVER, lgtinUri, sgtinUri, ssccUri } from "@careledger/gs1";

/**
 * How EPCIS names packs, cases, lots and parties (NOTES.md 3.2, 4.3). An EPC URN splits a key at
 * its GS1 Company Prefix, whose length the digits do not tell: a key within one of the known
 * prefixes gets its URN (`urn:epc:id:sgtin:…`), any other its Digital Link, which EPCIS 2.0
 * accepts in the same places. Parties are named by their GLN's Digital Link where they have one.
 */
export interface EpcNames {
  pack(gtin: string, serial: string): string;
  case(sscc: string): string;
  lot(gtin: string, lot: string): string;
  party(org: string): string;
}

/** What EpcNames knows of an organization: its GLN, if it has one. */
export interface PartyDirectory {
  glnOf(org: string): string | undefined;
}

/**
 * Names from company prefixes: a GTIN-14 or an SSCC carries its prefix after its first digit
 * (indicator or extension); the longest known prefix that matches gives the GCP length.
 */
export function epcNames(prefixes: readonly string[], parties: PartyDirectory): EpcNames {
  const sorted = [...new Set(prefixes)].sort((a, b) => b.length - a.length);
  const gcpLength = (key: string) => sorted.find((prefix) => key.startsWith(prefix, 1))?.length;
  return {
    pack(gtin, serial) {
      const length = gcpLength(gtin);
      return length === undefined
        ? formatDigitalLink({ gtin, serial })
        : sgtinUri(gtin, serial, length);
    },
    case(sscc) {
      const length = gcpLength(sscc);
      return length === undefined ? `${GS1_RESOLVER}/00/${sscc}` : ssccUri(sscc, length);
    },
    lot(gtin, lot) {
      const length = gcpLength(gtin);
      return length === undefined ? formatDigitalLink({ gtin, lot }) : lgtinUri(gtin, lot, length);
    },
    party(org) {
      const gln = parties.glnOf(org);
      return gln === undefined ? `urn:careledger:org:${org}` : `${GS1_RESOLVER}/414/${gln}`;
    },
  };
}
