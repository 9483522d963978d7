import { randomBytes } from "node:crypto";
import {
  CareLedgerClient,
  fromHex,
  generateKeyPair,
  keySigner,
  type Signer,
} from "@careledger/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitAllAtHeight } from "./harness/agreement.js";
import { devnetAdmin, signedFetch as signedFetchOf } from "./harness/clients.js";
import { Cluster, waitFor } from "./harness/cluster.js";
import { custodianNeedles, homeFilesHolding } from "./harness/custodianHome.js";

const WAIT_MS_MAX = 90_000;
/** org-0's node: the custodian of every record here. */
const CUSTODIAN = 0;
let cluster: Cluster;

beforeAll(async () => {
  cluster = await Cluster.create(4);
  cluster.startAll();
  await waitAllAtHeight(cluster, [0, 1, 2, 3], 1, WAIT_MS_MAX);
}, 150_000);

afterAll(async () => {
  await cluster.destroy();
});

/** A request to node `index` signed by `signer`, with raw bytes in and out. */
function signedFetch(
  index: number,
  signer: Signer,
  method: "GET" | "POST",
  path: string,
  body?: Uint8Array,
): Promise<Response> {
  const node = { home: cluster.home(index), url: cluster.url(index) };
  return signedFetchOf(node, signer, method, path, body);
}

/** The error code of a JSON error answer. */
async function codeOf(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

/** Stops the custodian, hands its home to `look`, and starts it again caught up. */
async function whileStopped<T>(look: (home: string) => Promise<T>): Promise<T> {
  await cluster.kill(CUSTODIAN, "SIGTERM");
  const seen = await look(cluster.home(CUSTODIAN));
  cluster.start(CUSTODIAN);
  const { height } = await cluster.status(1);
  await cluster.waitForHeight(CUSTODIAN, height, WAIT_MS_MAX);
  return seen;
}

describe("records at their custodian, on a live 4-node devnet", () => {
  it("upload, anchor, access.log, read, forget: RECORD_FORGOTTEN and no byte left in the custodian's home", async () => {
    const admin = await devnetAdmin(cluster.home(CUSTODIAN));
    const client = new CareLedgerClient(cluster.url(1), { signer: admin });
    const clinicianKeys = generateKeyPair();
    const patientKeys = generateKeyPair();
    const clinician = keySigner(clinicianKeys.secretKey);
    const patient = keySigner(patientKeys.secretKey);
    const register = await client.txBuilder(admin);
    const expires = await client.expiresAfter(100);
    for (const [key, roles] of [
      [clinicianKeys.publicKey, ["clinician"]],
      [patientKeys.publicKey, ["patient"]],
    ] as const) {
      const done = await client.submitAndWait(
        register.build("identity.register", { key, org: "org-0", roles: [...roles] }, expires),
        { timeoutMs: WAIT_MS_MAX },
      );
      expect(done.receipt.ok).toBe(true);
    }

    const marker = `PHI-MARKER-${randomBytes(16).toString("hex")}`;
    const plaintext = new TextEncoder().encode(`Potassium 4.1 mmol/L ${marker}`);
    // The upload names the record version it is for: the custodian opens it for no other.
    const id = randomBytes(16).toString("hex");
    const uploadPath = `/v1/m/record/content?record=${id}&version=1&patient=${patientKeys.accountId}&class=lab`;
    const uploaded = await signedFetch(CUSTODIAN, clinician, "POST", uploadPath, plaintext);
    expect(uploaded.status).toBe(201);
    const { hash } = (await uploaded.json()) as { hash: string };
    // Past the custodian's bound (4 MiB by default), under the API's own (8 MiB): the route's
    // body bound, so the API refuses it before reading it.
    const huge = new Uint8Array(4 * 1024 * 1024 + 1);
    const refused = await signedFetch(CUSTODIAN, clinician, "POST", uploadPath, huge);
    expect([refused.status, await codeOf(refused)]).toEqual([413, "ENCODING_TOO_LARGE"]);

    const byClinician = await client.txBuilder(clinician);
    const anchor = byClinician.build(
      "record.anchor",
      {
        id,
        patient: patientKeys.publicKey,
        class: "lab",
        custodian: "org-0",
        hash: fromHex(hash, 32),
      },
      await client.expiresAfter(100),
    );
    expect((await client.submitAndWait(anchor, { timeoutMs: WAIT_MS_MAX })).receipt.ok).toBe(true);

    // The patient reads its own record: its access.log commits first, then the custodian answers.
    const byPatient = await client.txBuilder(patient);
    const access = await client.submitAndWait(
      byPatient.build(
        "access.log",
        { record: id, purpose: "TREAT", action: "access" },
        await client.expiresAfter(100),
      ),
      { timeoutMs: WAIT_MS_MAX },
    );
    expect(access.receipt.ok).toBe(true);
    const contentPath = `/v1/m/record/content/${id}?access=${access.id}`;
    await cluster.waitForHeight(CUSTODIAN, access.height, WAIT_MS_MAX);
    const read = await signedFetch(CUSTODIAN, patient, "GET", contentPath);
    expect(read.status).toBe(200);
    expect(new Uint8Array(await read.arrayBuffer())).toEqual(plaintext);
    // The same hash anchored under another record (by an insider) is refused on chain: one hash,
    // one record version (the custodian's binding of an upload to its record is routes.test.ts's).
    const reuse = client.submitAndWait(
      byClinician.build(
        "record.anchor",
        {
          id: randomBytes(16).toString("hex"),
          patient: patientKeys.publicKey,
          class: "lab",
          custodian: "org-0",
          hash: fromHex(hash, 32),
        },
        await client.expiresAfter(100),
      ),
      { timeoutMs: WAIT_MS_MAX },
    );
    await expect(reuse).rejects.toMatchObject({ code: "RECORD_HASH_REUSED" });
    // Another node is not the custodian.
    const elsewhere = await signedFetch(1, patient, "GET", contentPath);
    expect([elsewhere.status, await codeOf(elsewhere)]).toEqual([404, "RECORD_NOT_HELD"]);

    // The control: the scan finds the ciphertext and the wrapped key in the custodian's home;
    // the plaintext and the data key were never written.
    const markerBytes = new TextEncoder().encode(marker);
    const needles = await whileStopped(async (home) => {
      const stored = await custodianNeedles(home);
      const found = await homeFilesHolding(home, [...stored, markerBytes]);
      const indexes = new Set(found.map((entry) => Number(entry.split(": ")[1])));
      expect(indexes.has(0) && indexes.has(1)).toBe(true);
      expect(indexes.has(2) || indexes.has(stored.length)).toBe(false);
      return stored;
    });
    expect(needles).toHaveLength(3);

    const forget = byPatient.build(
      "record.forget",
      { id, patient: patientKeys.publicKey },
      await client.expiresAfter(100),
    );
    expect((await client.submitAndWait(forget, { timeoutMs: WAIT_MS_MAX })).receipt.ok).toBe(true);
    await waitFor("record.forgotten", WAIT_MS_MAX, async () => {
      const view = (await client.query("record.get", { id }, { signer: patient })) as {
        status: string;
      } | null;
      return view?.status === "forgotten" ? true : undefined;
    });
    const gone = await signedFetch(CUSTODIAN, patient, "GET", contentPath);
    expect([gone.status, await codeOf(gone)]).toEqual([410, "RECORD_FORGOTTEN"]);

    await whileStopped(async (home) => {
      expect(await homeFilesHolding(home, [...needles, markerBytes])).toEqual([]);
    });
  }, 300_000);
});
