import { formatDigitalLink } from "@careledger/gs1";
import type { Genesis } from "@careledger/sdk";
import { DEVNET_CONSORTIUM, DEVNET_ORG } from "../devnetConsortium.js";
import { fileClaims } from "./claims.js";
import { grantConsents, revokeClinicConsent } from "./consents.js";
import { registerPeople } from "./identities.js";
import { writeDemoKeys } from "./keyFiles.js";
import { supplyPacks } from "./provenance.js";
import { breakTheGlass, readAfterRevoke, readRecords, uploadRecords } from "./records.js";
import { DemoWorld } from "./world.js";

/** The line the seed prints when it is done: what the devnet test waits for. */
export const SEEDED_LINE = "[demo] seeded";
/** Followed by the Digital Link of a pack of the recalled lot. */
export const RECALLED_LINK_LINE = "[demo] scan a recalled pack:";
/** The line it prints on a chain it finds already used (a restart), instead of seeding. */
export const NOT_FRESH_LINE = "[demo] the chain is not fresh: not seeding";
const NO_CONSORTIUM_LINE =
  "[demo] this devnet's genesis has no demo consortium (written by an older version): not seeding; start one on a new --dir";

export interface SeedOptions {
  readonly dir: string;
  readonly genesis: Genesis;
  /** Each node's API, by node index. */
  readonly urls: readonly string[];
  readonly signal: AbortSignal;
  readonly log: (line: string) => void;
}

/**
 * Seeds the demo consortium's story on a fresh devnet, once its nodes are up, as clients would:
 * every step a transaction or a read through a node's HTTP API with the SDK. A chain on which
 * any organization already has a registered member is not fresh (a restarted devnet, seeded or
 * used already), and is left as it is, so the seed runs once per chain.
 */
export async function seedDemo(options: SeedOptions): Promise<void> {
  const { log } = options;
  const ids = new Set(options.genesis.organizations.map((org) => org.id));
  if (!DEVNET_CONSORTIUM.every((member) => ids.has(member.id))) {
    log(NO_CONSORTIUM_LINE);
    return;
  }
  const world = await DemoWorld.open(options.dir, options.genesis, options.urls, options.signal);
  if (!(await isFresh(world))) {
    log(NOT_FRESH_LINE);
    return;
  }
  log("[demo] registering the consortium's people");
  const people = await registerPeople(world);
  const keyFiles = await writeDemoKeys(options.dir, people);
  log("[demo] patients granting consents");
  const consents = await grantConsents(world, people);
  log("[demo] the hospital's clinician uploading records to its custodian node");
  const records = await uploadRecords(world, people);
  log("[demo] clinicians and the pharmacist reading records; one read denied by an exception");
  await readRecords(world, people, records);
  log("[demo] a patient revoking the clinic's consent; the clinic's next read denied");
  await revokeClinicConsent(world, people, consents);
  await readAfterRevoke(world, people, records);
  log("[demo] an emergency physician breaking the glass");
  await breakTheGlass(world, people, records);
  log("[demo] claims adjudicated and paid; one denied, disputed, adjusted and paid");
  await fileClaims(world, people);
  log("[demo] packs commissioned, shipped as a case, received, dispensed; a lot recalled");
  const packs = await supplyPacks(world, people);
  log(
    `[demo] GTIN ${packs.gtin}: lot ${packs.recalled.lot} recalled, pack ${packs.suspect} of lot ${packs.sold.lot} suspect, pack ${packs.dispensed} dispensed`,
  );
  // What a pharmacist's scan opens: the node's verification responder answers these links.
  const link = (lot: string, serial: string, expiry: string) =>
    formatDigitalLink({ gtin: packs.gtin, lot, serial, expiry }, world.url(0));
  const [recalled] = packs.recalled.serials;
  log(`${RECALLED_LINK_LINE} ${link(packs.recalled.lot, recalled ?? "", packs.recalled.expiry)}`);
  log(`[demo] scan a suspect pack: ${link(packs.sold.lot, packs.suspect, packs.sold.expiry)}`);
  log(`${SEEDED_LINE}: open ${world.url(0)}/ and load a key file:`);
  for (const file of keyFiles) log(`[demo]   ${file}`);
}

/** No organization has a registered member yet (asked as the records hospital's admin). */
async function isFresh(world: DemoWorld): Promise<boolean> {
  const client = world.client(await world.admin(DEVNET_ORG.hospital));
  for (const org of world.genesis.organizations) {
    const members = await client.query(
      "identity.members",
      { org: org.id, limit: 1 },
      { signal: world.signal },
    );
    if (members.items.length > 0) return false;
  }
  return true;
}
