import { createHash, randomBytes } from "node:crypto";
import {
  Access,
  CareLedgerClient,
  CareLedgerError,
  Consents,
  generateKeyPair,
  type IdentityRole,
  type KeyPair,
  keySigner,
  Records,
  type Signer,
} from "@careledger/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { r4Problems } from "../packages/fhir/src/r4Schema.testkit.js";
import { waitAllAtHeight } from "./harness/agreement.js";
import { devnetAdmin, signedFetch } from "./harness/clients.js";
import { Cluster } from "./harness/cluster.js";
import { homeFilesHolding } from "./harness/custodianHome.js";
import { databaseEntriesHolding } from "./harness/homeScan.js";

/**
 * Issue 13's "no PHI on chain": a scenario through every consent, access and records path on a
 * real 4-node cluster, with plaintext holding distinctive markers; then every byte of every
 * node's home (LevelDB tables and logs, consensus log, key files, node logs) is scanned for the
 * markers and for the unsalted hashes of the plaintext, and finds none. The custodian holds only
 * ciphertext (records.test.ts scans what it holds before and after an erasure).
 */

const WAIT_MS_MAX = 90_000;
const WAIT = { timeoutMs: WAIT_MS_MAX };
/** org-0 is the devnet's hospital (custodian); org-3 its pharmacy (a grantee organization). */
const HOSPITAL = 0;
const PHARMACY = 3;
let cluster: Cluster;

beforeAll(async () => {
  cluster = await Cluster.create(4);
  cluster.startAll();
  await waitAllAtHeight(cluster, [0, 1, 2, 3], 1, WAIT_MS_MAX);
}, 150_000);

afterAll(async () => {
  await cluster.destroy();
});

/** Registers a fresh key at node `index`'s organization with `roles`, through that node. */
async function person(index: number, roles: IdentityRole[]): Promise<KeyPair> {
  const admin = await devnetAdmin(cluster.home(index));
  const client = new CareLedgerClient(cluster.url(index), { signer: admin });
  const keys = generateKeyPair();
  const builder = await client.txBuilder(admin);
  const tx = builder.build(
    "identity.register",
    { key: keys.publicKey, org: `org-${index}`, roles },
    await client.expiresAfter(100),
  );
  expect((await client.submitAndWait(tx, WAIT)).receipt.ok).toBe(true);
  return keys;
}

/** A client of node `index` signing as `who`, its records' content at the hospital's node. */
function as(who: KeyPair, index: number) {
  const client = new CareLedgerClient(cluster.url(index), { signer: keySigner(who.secretKey) });
  const hospital = new CareLedgerClient(cluster.url(HOSPITAL), {
    signer: keySigner(who.secretKey),
  });
  return {
    records: new Records(client, { custodianNode: () => hospital }),
    consents: new Consents(client),
    access: new Access(client),
    signer: keySigner(who.secretKey),
  };
}

/** A signed GET of a FHIR route at node `index`: status, content type and the parsed body. */
async function fhirGet(index: number, signer: Signer, path: string) {
  const node = { home: cluster.home(index), url: cluster.url(index) };
  const response = await signedFetch(node, signer, "GET", path);
  return {
    status: response.status,
    type: response.headers.get("content-type") ?? "",
    body: (await response.json()) as Record<string, unknown>,
  };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "resolved";
  } catch (error) {
    expect(error).toBeInstanceOf(CareLedgerError);
    return (error as CareLedgerError).code;
  }
}

describe("no PHI on chain, on a live 4-node cluster", () => {
  it("runs consents, uploads, reads, break-the-glass, revocation and forget, then finds no marker and no unsalted hash in any node's home", async () => {
    const clinician = await person(HOSPITAL, ["clinician"]);
    const emergency = await person(HOSPITAL, ["clinician"]);
    const patient = await person(HOSPITAL, ["patient"]);
    const guardian = await person(HOSPITAL, ["patient"]);
    const pharmacist = await person(PHARMACY, ["pharmacist"]);

    // Random base64url, no two sharing a prefix: Snappy could store a repeated run of bytes as a
    // back-reference, which a byte scan of table files would not see (databaseEntriesHolding).
    const markers = [0, 1, 2].map(() => randomBytes(24).toString("base64url"));
    const plain = markers.map((marker) => new TextEncoder().encode(`Jane Roe, ${marker}`));
    const byClinician = as(clinician, HOSPITAL);
    const lab = await byClinician.records.upload(plain[0] as Uint8Array, {
      patient: patient.publicKey,
      class: "lab",
      custodian: "org-0",
      ...WAIT,
    });
    const psych = await byClinician.records.upload(plain[1] as Uint8Array, {
      patient: patient.publicKey,
      class: "mental-health",
      custodian: "org-0",
      ...WAIT,
    });
    await byClinician.records.amend(lab.id, plain[2] as Uint8Array, WAIT);

    // No consent: the pharmacy's pharmacist is denied, and the denial is on chain.
    const byPharmacist = as(pharmacist, PHARMACY);
    expect(await codeOf(byPharmacist.records.read(lab.id, { purpose: "TREAT" }, WAIT))).toBe(
      "ACCESS_DENIED",
    );

    // The patient names a guardian, who grants the pharmacy TREAT access except mental health.
    const byPatient = as(patient, HOSPITAL);
    await byPatient.consents.delegate({ delegate: guardian.publicKey }, WAIT);
    const consent = await as(guardian, 1).consents.grant(
      {
        patient: patient.publicKey,
        grantee: { org: "org-3" },
        actions: ["access"],
        purposes: ["TREAT"],
        deny: [{ classes: ["mental-health"] }],
      },
      WAIT,
    );
    const read = await byPharmacist.records.read(lab.id, { purpose: "TREAT" }, WAIT);
    expect(new TextDecoder().decode(read.content)).toContain(markers[2]);
    expect(read.decision).toMatchObject({ decision: "permit", reason: "consent", consent });
    expect(await codeOf(byPharmacist.records.read(psych.id, { purpose: "TREAT" }, WAIT))).toBe(
      "ACCESS_DENIED",
    );

    // Break the glass: a hospital clinician reads the excepted record without consent, flagged.
    const glass = await as(emergency, 2).records.read(psych.id, { purpose: "ETREAT" }, WAIT);
    expect(glass.decision).toMatchObject({ decision: "permit", breakGlass: true });

    // The renderings the patient reads, validated against the R4 schema.
    const signer = byPatient.signer;
    const shown = await fhirGet(1, signer, `/fhir/R4/Consent/${consent}`);
    expect([shown.status, shown.type]).toEqual([
      200,
      expect.stringContaining("application/fhir+json"),
    ]);
    expect(r4Problems(shown.body)).toEqual([]);
    expect(shown.body.status).toBe("active");
    const audit = await fhirGet(2, signer, `/fhir/R4/AuditEvent?patient=${patient.accountId}`);
    expect(audit.status).toBe(200);
    expect(r4Problems(audit.body)).toEqual([]);
    const events = (audit.body.entry as Array<{ resource: Record<string, unknown> }>).map(
      (entry) => entry.resource,
    );
    expect(events).toHaveLength(4);
    expect(JSON.stringify(events)).toContain("110127");
    // The CapabilityStatement a FHIR client reads first, public, valid R4 as a real node serves it.
    const metadata = await fetch(`${cluster.url(0)}/fhir/R4/metadata`);
    const statement = (await metadata.json()) as {
      rest: Array<{ resource: Array<{ type: string }> }>;
    };
    expect(r4Problems(statement)).toEqual([]);
    expect(statement.rest[0]?.resource.map((resource) => resource.type)).toEqual(
      expect.arrayContaining(["AuditEvent", "Claim", "ClaimResponse", "Consent", "Coverage"]),
    );
    // Another patient's key learns nothing of it.
    const stranger = as(await person(HOSPITAL, ["patient"]), 1);
    const refused = await fhirGet(1, stranger.signer, `/fhir/R4/Consent/${consent}`);
    expect([refused.status, refused.body.resourceType]).toEqual([403, "OperationOutcome"]);

    // Revocation: from its block on, the pharmacist is denied and the consent reads inactive.
    await byPatient.consents.revoke(consent, WAIT);
    expect(await codeOf(byPharmacist.records.read(lab.id, { purpose: "TREAT" }, WAIT))).toBe(
      "ACCESS_DENIED",
    );
    const revoked = await fhirGet(3, signer, `/fhir/R4/Consent/${consent}`);
    expect(revoked.body.status).toBe("inactive");
    expect(r4Problems(revoked.body)).toEqual([]);

    // Forget: the custodian erases, reports, and reads answer RECORD_FORGOTTEN.
    await byPatient.records.forget(lab.id, WAIT);
    await byPatient.records.erased(lab.id, WAIT);
    expect(await codeOf(as(emergency, 1).records.read(lab.id, { purpose: "ETREAT" }, WAIT))).toBe(
      "RECORD_FORGOTTEN",
    );

    // Every home, every file: no marker, and no unsalted hash of any plaintext (raw or hex).
    await cluster.stop();
    const needles: Uint8Array[] = [];
    for (const bytes of plain) {
      const digest = createHash("sha256").update(bytes).digest();
      needles.push(bytes, new TextEncoder().encode(digest.toString("hex")), digest);
    }
    for (const marker of markers) needles.push(new TextEncoder().encode(marker));
    for (let index = 0; index < 4; index++) {
      const home = cluster.home(index);
      expect(await homeFilesHolding(home, needles), `files of node ${index}`).toEqual([]);
      expect(await databaseEntriesHolding(home, needles), `databases of node ${index}`).toEqual([]);
      // The scan sees what is there: the anchored hash of the ciphertext is in every ledger.
      const anchored = [new TextEncoder().encode(psych.hash)];
      expect(await databaseEntriesHolding(home, anchored), `control, node ${index}`).not.toEqual(
        [],
      );
    }
  }, 600_000);
});
