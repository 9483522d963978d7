import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type DEMO_KEY_HOLDERS,
  demoKeyFileOf,
  NOT_FRESH_LINE,
  RECALLED_LINK_LINE,
  SEEDED_LINE,
} from "@careledger/node/demo";
import {
  adminKeyFileOf,
  DEVNET_CONSORTIUM,
  DEVNET_GENESIS_FILE,
  DEVNET_ORG,
} from "@careledger/node/devnet";
import {
  Access,
  CareLedgerClient,
  Consents,
  type Genesis,
  importSecretKeyHex,
  importSecretKeyJwk,
  keySigner,
  parseGenesis,
  Records,
  type Signer,
} from "@careledger/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { freePortRange, waitFor } from "./harness/cluster.js";
import { DevnetProcess } from "./harness/devnetProcess.js";

/** Four nodes starting on a loaded 2-core machine, then some forty seed transactions. */
const SEED_WAIT_MS = 150_000;
const START_WAIT_MS = 90_000;

let devnet: DevnetProcess | null = null;
let dir: string | null = null;
/** Node 0's API port; the other nodes' follow it, then their p2p ports. */
let apiPort: number | null = null;

afterEach(async (context) => {
  if (devnet !== null && context.task.result?.state === "fail") console.error(devnet.tail(60));
  await devnet?.stop();
  devnet = null;
  if (dir !== null) await rm(dir, { recursive: true, force: true });
  dir = null;
  apiPort = null;
});

/** `careledger devnet` on a fresh directory and free ports, or again on the test's own. */
async function startDevnet(...extra: string[]): Promise<{ url: string; dir: string }> {
  dir ??= await mkdtemp(join(tmpdir(), "careledger-devnet-"));
  apiPort ??= await freePortRange(8);
  const args = ["--dir", dir, "--api-port", `${apiPort}`, "--p2p-port", `${apiPort + 4}`];
  devnet = new DevnetProcess([...args, ...extra]);
  // Printed once the layout (genesis, homes, keys) is on disk.
  await devnet.waitForLine("node-0: home", START_WAIT_MS);
  return { url: `http://127.0.0.1:${apiPort}`, dir };
}

async function genesisOf(devnetDir: string): Promise<Genesis> {
  return parseGenesis(JSON.parse(await readFile(join(devnetDir, DEVNET_GENESIS_FILE), "utf8")));
}

async function adminOf(devnetDir: string, org: string): Promise<Signer> {
  const file = adminKeyFileOf(devnetDir, await genesisOf(devnetDir), org);
  return keySigner(importSecretKeyHex(await readFile(file, "utf8")));
}

async function demoKey(devnetDir: string, holder: (typeof DEMO_KEY_HOLDERS)[number]) {
  const jwk = JSON.parse(await readFile(demoKeyFileOf(devnetDir, holder), "utf8"));
  return { signer: keySigner(importSecretKeyJwk(jwk)), jwk };
}

/** The GTIN, the recalled lot and two packs, from the seed's line about them. */
function suppliedPacks(lines: readonly string[]) {
  const pattern =
    /^\[demo\] GTIN (\d{14}): lot (\S+) recalled, pack (\S+) of lot \S+ suspect, pack (\S+) dispensed/;
  const match = lines.map((line) => pattern.exec(line)).find((found) => found !== null);
  if (match === undefined) throw new Error("the seed printed no packs line");
  const [, gtin = "", recalledLot = "", suspect = "", dispensed = ""] = match;
  return { gtin, recalledLot, suspect, dispensed };
}

/** How many keys are registered in each organization, asked as `operator`. */
async function memberCounts(client: CareLedgerClient): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const { id } of DEVNET_CONSORTIUM) {
    counts[id] = (await client.query("identity.members", { org: id, limit: 100 })).items.length;
  }
  return counts;
}

describe("pnpm devnet's demo consortium", () => {
  it("seeds identities, consents, records, reads, a break-the-glass, claims and a supply chain once, visible through queries, and not again after a restart", async () => {
    const { url, dir: devnetDir } = await startDevnet();
    const seeded = await (devnet as DevnetProcess).waitForLine(SEEDED_LINE, SEED_WAIT_MS);
    expect(seeded).toContain(url);

    const genesis = await genesisOf(devnetDir);
    expect(genesis.organizations.map((org) => org.kind).sort()).toEqual(
      [
        "clinic",
        "distributor",
        "hospital",
        "hospital",
        "insurer",
        "licensing-body",
        "manufacturer",
        "pharmacy",
        "regulator",
      ].sort(),
    );

    // The demo patient's key file, as the console loads it: its consents, records and history.
    const patient = await demoKey(devnetDir, "patient");
    expect(patient.jwk).toMatchObject({ kty: "OKP", crv: "Ed25519", roles: ["patient"] });
    const asPatient = new CareLedgerClient(url, { signer: patient.signer });
    const consents = await new Consents(asPatient).list();
    expect(consents.items).toHaveLength(2);
    const toHospital = consents.items.find(
      (consent) => "org" in consent.grantee && consent.grantee.org === DEVNET_ORG.hospital,
    );
    expect(toHospital).toMatchObject({
      status: "active",
      deny: [{ classes: ["mental-health", "sexual-health"] }],
    });
    const records = await new Records(asPatient).ofPatient();
    expect(records.items.map((record) => record.class).sort()).toEqual([
      "lab",
      "medication",
      "mental-health",
    ]);
    const history = await new Access(asPatient).history();
    expect(
      history.items.map((entry) => [entry.class, entry.decision, entry.reason]).sort(),
    ).toEqual([
      ["lab", "permit", "consent"],
      ["medication", "permit", "consent"],
      ["mental-health", "deny", "exception"],
    ]);

    // The demo pharmacist's key reads the medication record through the custodian.
    const pharmacist = await demoKey(devnetDir, "pharmacist");
    const medication = records.items.find((record) => record.class === "medication");
    const read = await new Records(new CareLedgerClient(url, { signer: pharmacist.signer })).read(
      medication?.id ?? "",
      { purpose: "TREAT" },
      { timeoutMs: 60_000 },
    );
    expect(new TextDecoder().decode(read.content)).toContain("Amoxicillin");
    const clinician = await demoKey(devnetDir, "clinician");
    expect(clinician.jwk).toMatchObject({ org: DEVNET_ORG.hospital, roles: ["clinician"] });

    // As an operator (the hospital's admin): the revoked consent and the break-the-glass.
    const operator = new CareLedgerClient(url, {
      signer: await adminOf(devnetDir, DEVNET_ORG.hospital),
    });
    const toClinic = await new Consents(operator).toOrg(DEVNET_ORG.clinic);
    expect(toClinic.items).toEqual([
      expect.objectContaining({ status: "inactive", revoked: expect.any(Object) }),
    ]);
    const clinicReads = (await new Access(operator).history(toClinic.items[0]?.patient)).items;
    expect(clinicReads.map((entry) => [entry.decision, entry.reason])).toEqual([
      ["deny", "no-consent"],
      ["permit", "consent"],
    ]);
    const emergencies = await new Access(operator).breakGlass(DEVNET_ORG.otherHospital);
    expect(emergencies.items).toEqual([
      expect.objectContaining({ breakGlass: true, decision: "permit", class: "allergy" }),
    ]);
    // Drug provenance: what a pharmacist's scan of each pack answers from (public).
    const packs = suppliedPacks((devnet as DevnetProcess).lines);
    const scan = (serial: string) => operator.query("pack.status", { gtin: packs.gtin, serial });
    expect(await scan(packs.dispensed)).toMatchObject({ status: "dispensed", suspect: false });
    expect(await scan(packs.suspect)).toMatchObject({ status: "active", suspect: true });
    const recalled = await operator.query("lot.packs", {
      gtin: packs.gtin,
      lot: packs.recalledLot,
    });
    expect(recalled.items.map((pack) => [pack.custodian, pack.recalled])).toEqual([
      [DEVNET_ORG.distributor, true],
      [DEVNET_ORG.distributor, true],
    ]);
    expect(await scan(recalled.items[0]?.serial ?? "")).toMatchObject({ recalled: true });
    // The recalled pack's Digital Link, as the seed printed it, answered by the node.
    const recalledLine = (devnet as DevnetProcess).lines.find((line) =>
      line.startsWith(RECALLED_LINK_LINE),
    );
    const link = recalledLine?.slice(RECALLED_LINK_LINE.length).trim() ?? "";
    expect(link.startsWith(`${url}/01/${packs.gtin}/10/${packs.recalledLot}/21/`)).toBe(true);
    const answer = await fetch(link, { headers: { accept: "application/json" } });
    expect(answer.status).toBe(200);
    expect(JSON.stringify(await answer.json())).toContain("Recalled");
    const atPharmacy = await new CareLedgerClient(url, { signer: pharmacist.signer }).query(
      "pack.inventory",
      { org: DEVNET_ORG.pharmacy },
    );
    expect(atPharmacy.items).toHaveLength(5);

    // Claims, as the demo patient's member key sees them: both paid, one after a dispute.
    const member = await demoKey(devnetDir, "member");
    const asMember = new CareLedgerClient(url, { signer: member.signer });
    const claims = await asMember.query("claim.ofMember", { member: member.jwk.kid });
    expect(claims.items.map((claim) => [claim.status, claim.paid === claim.payable])).toEqual([
      ["paid", true],
      ["paid", true],
    ]);
    const histories = claims.items.map((claim) => claim.history.map((entry) => entry.status));
    expect(histories).toContainEqual(["adjudicated", "paid"]);
    // Denied, disputed, adjusted (payable again), paid.
    expect(histories).toContainEqual(["adjudicated", "disputed", "adjudicated", "paid"]);

    const counts = await memberCounts(operator);
    expect(counts[DEVNET_ORG.hospital]).toBe(4);
    expect(counts[DEVNET_ORG.insurer]).toBe(2);

    // Restarted on the same directory: the seed finds the chain used and leaves it as it is.
    await devnet?.stop();
    await startDevnet();
    await (devnet as DevnetProcess).waitForLine(NOT_FRESH_LINE, SEED_WAIT_MS);
    expect(await memberCounts(operator)).toEqual(counts);
    expect((await new Consents(asPatient).list()).items).toHaveLength(2);
  });

  it("starts an empty chain with --no-demo: the consortium in genesis, nobody registered", async () => {
    const { url, dir: devnetDir } = await startDevnet("--no-demo");
    const client = new CareLedgerClient(url, {
      signer: await adminOf(devnetDir, DEVNET_ORG.hospital),
    });
    // A seed registers its people in the first blocks after height 1: five blocks leave it time.
    await waitFor("height 5", START_WAIT_MS, async () =>
      (await client.status()).height >= 5 ? true : undefined,
    );
    const counts = await memberCounts(client);
    expect(Object.values(counts)).toEqual(DEVNET_CONSORTIUM.map(() => 0));
    expect((devnet as DevnetProcess).lines.filter((line) => line.startsWith("[demo]"))).toEqual([]);
  });
});
