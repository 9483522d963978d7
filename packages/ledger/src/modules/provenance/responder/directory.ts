import type { ProvenanceEventView } from "@careledger/protocol";
import { readOrganization } from "../../identity/state.js";
import type { QueryReader } from "../../module.js";
import { type EpcNames, epcNames } from "../epcis/epcNames.js";

/** What the responder needs to know of organizations: GLNs and GS1 company prefixes. */
export interface Directory {
  glnOf(org: string): string | undefined;
  /** Names for the EPCIS rendering of events among the organizations this directory read. */
  readonly names: EpcNames;
}

/**
 * Reads the organizations named (the identity module's public facts about them: a GLN, the
 * company prefixes their GTINs and SSCCs are in) once each, from the head.
 */
export async function directoryOf(reader: QueryReader, orgs: Iterable<string>): Promise<Directory> {
  const glns = new Map<string, string>();
  const prefixes: string[] = [];
  for (const id of new Set(orgs)) {
    const org = await readOrganization(reader, id);
    if (org === null) continue;
    if (org.gln !== undefined) glns.set(id, org.gln);
    prefixes.push(...(org.gs1CompanyPrefixes ?? []));
  }
  const glnOf = (org: string) => glns.get(org);
  return { glnOf, names: epcNames(prefixes, { glnOf }) };
}

/** The organizations a list of events names. */
export function orgsOf(events: readonly ProvenanceEventView[]): string[] {
  return events.flatMap((event) =>
    [event.org, event.from, event.to].filter((org): org is string => org !== undefined),
  );
}
