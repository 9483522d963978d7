import type { Organization } from "@careledger/protocol";
import { ORG_PREFIX } from "../../identity/state.js";
import type { QueryReader } from "../../module.js";
import { type EpcNames, epcNames } from "../epcis/epcNames.js";

/**
 * Most organizations the directory reads. Far above a consortium's size (genesis allows 256);
 * past it, keys of the organizations left out are named by their Digital Links.
 */
export const DIRECTORY_ORGS_MAX = 4_096;

/** What the responder needs to know of organizations: GLNs and GS1 company prefixes. */
export interface Directory {
  glnOf(org: string): string | undefined;
  /** EPCIS names: the same for a pack on every page, whoever the page's events name. */
  readonly names: EpcNames;
}

/**
 * The organizations' public GS1 facts at the head (a GLN, the company prefixes their GTINs and
 * SSCCs are in). All of them, not only those an answer names: which company prefix an SSCC or
 * GTIN is in depends on who issued it, and a pack must be named alike in every answer.
 */
export async function directoryOf(reader: QueryReader): Promise<Directory> {
  const entries = await reader.scan(ORG_PREFIX, { limit: DIRECTORY_ORGS_MAX });
  const glns = new Map<string, string>();
  const prefixes: string[] = [];
  for (const [, value] of entries) {
    const org = value as unknown as Organization;
    if (org.gln !== undefined) glns.set(org.id, org.gln);
    prefixes.push(...(org.gs1CompanyPrefixes ?? []));
  }
  const glnOf = (org: string) => glns.get(org);
  return { glnOf, names: epcNames(prefixes, { glnOf }) };
}
