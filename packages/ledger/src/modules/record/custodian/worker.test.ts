import { randomBytes } from "node:crypto";
import { CareLedgerError, fromHex, type ModuleRoute, type RecordView } from "@careledger/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { filesHolding } from "../../../local/fileScan.testkit.js";
import type { ModuleServices, ModuleWorker } from "../../module.js";
import { holds, needlesOf, storedVersion } from "./contentKeys.testkit.js";
import { ContentStore } from "./contentStore.js";
import { CustodianNode, ORIGIN, type Person } from "./custodianNode.testkit.js";
import { recordRoutes } from "./routes.js";
import { CUSTODIAN_DEFAULTS } from "./settings.js";
import {
  type CustodianLog,
  FORGET_ATTEMPTS_MAX,
  RESUBMIT_AFTER_HEIGHTS,
  recordWorker,
  SWEEP_INTERVAL_MS,
} from "./worker.js";

let node: CustodianNode;
let upload: ModuleRoute;
let read: ModuleRoute;
let clinician: Person;
let outsider: Person;
let patient: Person;
let logged: Array<[string, string]>;
let details: Array<Readonly<Record<string, unknown>>>;
const log: CustodianLog = {
  warn: (said, message) => {
    logged.push(["warn", message]);
    details.push(said);
  },
  error: (said, message) => {
    logged.push(["error", message]);
    details.push(said);
  },
};

beforeEach(async () => {
  node = await CustodianNode.create("custodian-worker");
  const now = () => node.ledger.head.time;
  [upload, read] = recordRoutes(node.services, CUSTODIAN_DEFAULTS, { now }) as [
    ModuleRoute,
    ModuleRoute,
  ];
  clinician = await node.person("org-0", ["clinician"]);
  outsider = await node.person("org-1", ["clinician"]);
  patient = await node.person("org-0", ["patient"]);
  await node.consent(patient, "org-0");
  logged = [];
  details = [];
});
afterEach(async () => {
  await node.close();
});

const text = (value: string) => new TextEncoder().encode(value);

/** Uploads `content` for version `version` of record `id` (version 1 for the patient). */
async function uploaded(content: Uint8Array, id: string, version = 1): Promise<string> {
  const target = version === 1 ? { id, version, patient } : { id, version };
  return ((await node.upload(upload, clinician, content, target)).body as { hash: string }).hash;
}

/** A record of `patient` at `custodian` with one version per content, all uploaded here. */
async function record(contents: readonly Uint8Array[], custodian = "org-0"): Promise<string> {
  const id = randomBytes(16).toString("hex");
  const by = custodian === "org-0" ? clinician : outsider;
  for (const [index, content] of contents.entries()) {
    const hash = fromHex(await uploaded(content, id, index + 1), 32);
    const [type, payload] =
      index === 0
        ? [
            "record.anchor",
            { id, patient: patient.signer.publicKey, class: "lab", custodian, hash },
          ]
        : ["record.amend", { id, custodian, previous: index, hash }];
    expect((await node.send(type as string, payload, by.signer)).receipt?.status).toBe("ok");
  }
  return id;
}

async function view(id: string): Promise<RecordView> {
  return (await node.services.head().get(`record/${id}`)) as unknown as RecordView;
}

/** Commits the patient's forget; answers the height it committed at. */
async function forget(id: string): Promise<number> {
  const payload = { id, patient: patient.signer.publicKey };
  expect((await node.send("record.forget", payload, patient.signer)).receipt?.status).toBe("ok");
  return node.ledger.head.height;
}

/** Tells the worker of block `height`, as the node's worker host does. */
async function tell(worker: ModuleWorker, height: number): Promise<void> {
  await worker.committed(height, await node.committedAt(height));
}

/** A clinician's committed access.log of the record, answering its id. */
async function logAccess(id: string): Promise<string> {
  const payload = { record: id, purpose: "TREAT", action: "access" };
  const { id: access, receipt } = await node.send("access.log", payload, clinician.signer);
  expect(receipt?.status).toBe("ok");
  return access;
}

/** What the read route answers the clinician for the record with `access`. */
async function readCode(id: string, access: string): Promise<string> {
  try {
    await read.handler({
      params: { id },
      query: { access },
      body: undefined,
      caller: await node.caller(clinician),
      origin: ORIGIN,
      url: `/v1/m/record/content/${id}?access=${access}`,
      accept: null,
    });
  } catch (error) {
    if (error instanceof CareLedgerError) return error.code;
    throw error;
  }
  return "ok";
}

describe("the forget worker", () => {
  it("erases every version after the forget commits, then reports record.forgotten", async () => {
    const plaintexts = [text("PHI-MARKER first version"), text("PHI-MARKER second version")];
    const id = await record(plaintexts);
    const kept = await record([text("PHI-MARKER kept")]);
    const hashes = (await view(id)).versions.map((version) => version.hash);
    const versions = await Promise.all(
      hashes.map((hash) => storedVersion(node.services.local, node.kek, hash)),
    );
    const needles = [...needlesOf(versions), ...plaintexts];
    const scan = async () =>
      (await Promise.all(node.homeDirs.map((dir) => filesHolding(dir, needles)))).flat();
    // The control: the scan finds both blobs before the erasure (needles 0 and 3).
    expect((await scan()).map((found) => found.split(": ")[1])).toEqual(
      expect.arrayContaining(["0", "3"]),
    );

    const accesses = [await logAccess(id), await logAccess(kept)];
    const worker = recordWorker(node.services, { log });
    await worker.start();
    await tell(worker, await forget(id));
    expect(await scan()).toEqual([]);
    expect(node.pool.map((tx) => [tx.tx.type, tx.tx.payload])).toEqual([
      ["record.forgotten", { id, custodian: "org-0" }],
    ]);
    const [receipt] = await node.commit([]);
    expect(receipt?.status).toBe("ok");
    expect(await view(id)).toMatchObject({
      status: "forgotten",
      forgotten: { by: node.services.nodeKey },
    });
    await tell(worker, node.ledger.head.height);
    expect(node.pool).toEqual([]);
    expect(await readCode(id, accesses[0] as string)).toBe("RECORD_FORGOTTEN");
    expect(await readCode(kept, accesses[1] as string)).toBe("ok");
    expect(logged).toEqual([]);
  });

  it("leaves a record another organization holds alone", async () => {
    const id = await record([text("held at org-1")], "org-1");
    const worker = recordWorker(node.services, { log });
    await worker.start();
    await tell(worker, await forget(id));
    expect(node.pool).toEqual([]);
    const [version] = (await view(id)).versions;
    expect(
      await holds(new ContentStore(node.services.local, node.kek), version?.hash as string, id),
    ).toBe(true);
  });

  it("on start, finishes what it missed: a forget before its erasure, a report after it, another node's report", async () => {
    const before = await record([text("forgotten while no worker ran")]);
    const after = await record([text("erased, then stopped before the report")]);
    const reported = await record([text("reported by another node of org-0")]);
    const holdsAny = async (id: string) =>
      (
        await new ContentStore(node.services.local, node.kek).heldFor(
          id,
          (await view(id)).versions.map((version) => version.hash),
        )
      ).length > 0;
    const failing: ModuleServices = Object.create(node.services, {
      submit: { value: async () => Promise.reject(new Error("stopped")) },
    });
    const first = recordWorker(failing, { log });
    await first.start();
    await tell(first, await forget(after));
    await first.stop();
    expect(await holdsAny(after)).toBe(false);
    await forget(before);
    await forget(reported);
    const byOtherNode = { id: reported, custodian: "org-0" };
    await node.commit([node.harness.tx("record.forgotten", byOtherNode, node.harness.org(0).node)]);
    expect([await holdsAny(before), await holdsAny(reported)]).toEqual([true, true]);
    await node.reopenLocal();

    const worker = recordWorker(node.services, { log });
    await worker.start();
    const ids = node.pool.map((tx) => (tx.tx.payload as { id: string }).id).sort();
    expect(ids).toEqual([before, after].sort());
    for (const id of [before, after, reported]) expect(await holdsAny(id)).toBe(false);
    await node.commit([]);
    for (const id of [before, after, reported]) expect((await view(id)).status).toBe("forgotten");
  });

  it("reports nothing for a record of which it held no content (another node of org-0 holds it)", async () => {
    const id = randomBytes(16).toString("hex");
    const payload = {
      id,
      patient: patient.signer.publicKey,
      class: "lab",
      custodian: "org-0",
      hash: randomBytes(32),
    };
    expect((await node.send("record.anchor", payload, clinician.signer)).receipt?.status).toBe(
      "ok",
    );
    const worker = recordWorker(node.services, { log });
    await worker.start();
    await tell(worker, await forget(id));
    expect(node.pool).toEqual([]);
    expect((await view(id)).status).toBe("forgetting");
  });

  it("erases its copies when another node of org-0 reported the record forgotten first", async () => {
    const id = await record([text("held here too")]);
    const worker = recordWorker(node.services, { log });
    await worker.start();
    const forgetAt = await forget(id);
    const byOtherNode = { id, custodian: "org-0" };
    await node.commit([node.harness.tx("record.forgotten", byOtherNode, node.harness.org(0).node)]);
    // Told late: both blocks at once, as a worker that fell behind is.
    await tell(worker, forgetAt);
    await tell(worker, node.ledger.head.height);
    expect(node.pool).toEqual([]);
    const [version] = (await view(id)).versions;
    expect(
      await holds(new ContentStore(node.services.local, node.kek), version?.hash as string, id),
    ).toBe(false);
  });

  it("retries a failing report at later blocks, at most FORGET_ATTEMPTS_MAX times, and logs each", async () => {
    const id = await record([text("unreported")]);
    const failing: ModuleServices = Object.create(node.services, {
      submit: { value: async () => Promise.reject(new Error("pool full")) },
    });
    const worker = recordWorker(failing, { log });
    await worker.start();
    await tell(worker, await forget(id));
    for (let block = 1; block < FORGET_ATTEMPTS_MAX + 2; block++) {
      await node.commit([]);
      await tell(worker, node.ledger.head.height);
    }
    expect(logged.map(([level]) => level)).toEqual([
      ...Array(FORGET_ATTEMPTS_MAX - 1).fill("warn"),
      "error",
    ]);
    // The give-up is counted, so the operator sees how many records wait for a restart.
    expect(details.at(-1)).toMatchObject({ record: id, givenUp: 1 });
    // Erased all the same: the report failed, never the erasure.
    const [version] = (await view(id)).versions;
    expect(
      await holds(new ContentStore(node.services.local, node.kek), version?.hash as string, id),
    ).toBe(false);
    expect((await view(id)).status).toBe("forgetting");
  });

  it("submits the report again when the first never committed", async () => {
    const id = await record([text("dropped report")]);
    const worker = recordWorker(node.services, { log });
    await worker.start();
    await tell(worker, await forget(id));
    expect(node.pool.splice(0)).toHaveLength(1);
    for (let block = 0; block < RESUBMIT_AFTER_HEIGHTS; block++) {
      await node.commit([]);
      await tell(worker, node.ledger.head.height);
    }
    expect(node.pool.map((tx) => tx.tx.type)).toEqual(["record.forgotten"]);
    expect(logged.map(([level]) => level)).toEqual(["warn"]);
    await node.commit([]);
    expect((await view(id)).status).toBe("forgotten");
  });

  it("erases only content uploaded for the forgotten record, not a blob another record's anchor reuses", async () => {
    const intended = randomBytes(16).toString("hex");
    const hash = await uploaded(text("uploaded for another record"), intended);
    // Anchored under another id (an insider's reuse): its forget must not erase that content.
    const reused = randomBytes(16).toString("hex");
    const payload = {
      id: reused,
      patient: patient.signer.publicKey,
      class: "lab",
      custodian: "org-0",
      hash: fromHex(hash, 32),
    };
    expect((await node.send("record.anchor", payload, clinician.signer)).receipt?.status).toBe(
      "ok",
    );
    const worker = recordWorker(node.services, { log });
    await worker.start();
    await tell(worker, await forget(reused));
    expect(node.pool).toEqual([]);
    const content = new ContentStore(node.services.local, node.kek);
    expect(await holds(content, hash, intended)).toBe(true);
  });

  it("on start, drops the report note of a record forgotten while it was down", async () => {
    const id = await record([text("noted, then reported")]);
    const first = recordWorker(node.services, { log });
    await first.start();
    await tell(first, await forget(id));
    await first.stop();
    // The report commits, and the node stops before it was told of it: the note stays.
    await node.commit([]);
    expect((await view(id)).status).toBe("forgotten");
    expect(await node.services.local.get(`report/${id}`)).toBeDefined();
    await node.reopenLocal();
    await recordWorker(node.services, { log }).start();
    expect(await node.services.local.get(`report/${id}`)).toBeUndefined();
    expect(node.pool).toEqual([]);
  });
});

describe("uploads never anchored", () => {
  const ttl = 10 * SWEEP_INTERVAL_MS;
  const settings = { ...CUSTODIAN_DEFAULTS, pendingTtlMs: ttl };
  const content = () => new ContentStore(node.services.local, node.kek);
  const pendingHashes = async () =>
    (await content().pendingOf(clinician.key, 100)).map((upload) => upload.hash).sort();

  it("are settled when their anchor commits, and erased past the TTL of head time otherwise", async () => {
    const worker = recordWorker(node.services, { log, settings });
    await worker.start();
    const id = randomBytes(16).toString("hex");
    const kept = await uploaded(text("anchored in time"), id);
    const dropped = await uploaded(text("never anchored"), randomBytes(16).toString("hex"));
    expect(await pendingHashes()).toEqual([kept, dropped].sort());
    const payload = {
      id,
      patient: patient.signer.publicKey,
      class: "lab",
      custodian: "org-0",
      hash: fromHex(kept, 32),
    };
    expect((await node.send("record.anchor", payload, clinician.signer)).receipt?.status).toBe(
      "ok",
    );
    await tell(worker, node.ledger.head.height);
    expect(await pendingHashes()).toEqual([dropped]);
    // At the TTL it stays; one sweep interval past it, it is gone.
    await node.commit([], ttl - 1000);
    await tell(worker, node.ledger.head.height);
    expect(await pendingHashes()).toEqual([dropped]);
    await node.commit([], SWEEP_INTERVAL_MS);
    await tell(worker, node.ledger.head.height);
    expect(await pendingHashes()).toEqual([]);
    expect(await node.services.local.scan({ prefix: `v/${dropped}/` })).toEqual([]);
    expect((await view(id)).versions).toHaveLength(1);
    expect(await holds(content(), kept, id)).toBe(true);
    expect(logged).toEqual([]);
  });

  it("on start, settles uploads anchored while the node was down and erases expired ones", async () => {
    const id = randomBytes(16).toString("hex");
    const kept = await uploaded(text("anchored while down"), id);
    const dropped = await uploaded(text("expired while down"), randomBytes(16).toString("hex"));
    const payload = {
      id,
      patient: patient.signer.publicKey,
      class: "lab",
      custodian: "org-0",
      hash: fromHex(kept, 32),
    };
    expect((await node.send("record.anchor", payload, clinician.signer)).receipt?.status).toBe(
      "ok",
    );
    await node.commit([], ttl + 1);
    await recordWorker(node.services, { log, settings }).start();
    expect(await pendingHashes()).toEqual([]);
    expect(await holds(content(), kept, id)).toBe(true);
    expect(await node.services.local.scan({ prefix: `v/${dropped}/` })).toEqual([]);
  });

  it("frees the uploader's quota once settled", async () => {
    const quota = { ...CUSTODIAN_DEFAULTS, pendingUploadsMax: 1 };
    const [limited] = recordRoutes(node.services, quota, { now: () => node.ledger.head.time }) as [
      ModuleRoute,
    ];
    const id = randomBytes(16).toString("hex");
    const first = await node.upload(limited, clinician, text("first"), { id, patient });
    const second = node.upload(limited, clinician, text("second"), {
      id: randomBytes(16).toString("hex"),
      patient,
    });
    await expect(second).rejects.toMatchObject({ code: "UPLOAD_QUOTA" });
    const hash = (first.body as { hash: string }).hash;
    const payload = {
      id,
      patient: patient.signer.publicKey,
      class: "lab",
      custodian: "org-0",
      hash: fromHex(hash, 32),
    };
    const worker = recordWorker(node.services, { log, settings });
    await worker.start();
    expect((await node.send("record.anchor", payload, clinician.signer)).receipt?.status).toBe(
      "ok",
    );
    await tell(worker, node.ledger.head.height);
    const third = await node.upload(limited, clinician, text("third"), {
      id: randomBytes(16).toString("hex"),
      patient,
    });
    expect(third.status).toBe(201);
  });
});
