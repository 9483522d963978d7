import { randomBytes } from "node:crypto";
import { CareLedgerError, fromHex, type ModuleRoute, type RecordView } from "@careledger/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { filesHolding } from "../../../local/fileScan.testkit.js";
import type { ModuleServices, ModuleWorker } from "../../module.js";
import { needlesOf, storedVersion } from "./contentKeys.testkit.js";
import { ContentStore } from "./contentStore.js";
import { CustodianNode, ORIGIN, type Person } from "./custodianNode.testkit.js";
import { recordRoutes } from "./routes.js";
import {
  type CustodianLog,
  FORGET_ATTEMPTS_MAX,
  RESUBMIT_AFTER_HEIGHTS,
  recordWorker,
} from "./worker.js";

let node: CustodianNode;
let upload: ModuleRoute;
let read: ModuleRoute;
let clinician: Person;
let outsider: Person;
let patient: Person;
let logged: Array<[string, string]>;
const log: CustodianLog = {
  warn: (_details, message) => logged.push(["warn", message]),
  error: (_details, message) => logged.push(["error", message]),
};

beforeEach(async () => {
  node = await CustodianNode.create("custodian-worker");
  [upload, read] = recordRoutes(node.services) as [ModuleRoute, ModuleRoute];
  clinician = await node.person("org-0", ["clinician"]);
  outsider = await node.person("org-1", ["clinician"]);
  patient = await node.person("org-0", ["patient"]);
  await node.consent(patient, "org-0");
  logged = [];
});
afterEach(async () => {
  await node.close();
});

const text = (value: string) => new TextEncoder().encode(value);

async function uploaded(content: Uint8Array): Promise<string> {
  const caller = await node.caller(clinician);
  const answer = await upload.handler({
    params: {},
    query: {},
    body: content,
    caller,
    origin: ORIGIN,
  });
  return (answer.body as { hash: string }).hash;
}

/** A record of `patient` at `custodian` with one version per content, all uploaded here. */
async function record(contents: readonly Uint8Array[], custodian = "org-0"): Promise<string> {
  const id = randomBytes(16).toString("hex");
  const by = custodian === "org-0" ? clinician : outsider;
  for (const [index, content] of contents.entries()) {
    const hash = fromHex(await uploaded(content), 32);
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
      await new ContentStore(node.services.local, node.kek).holds(version?.hash as string),
    ).toBe(true);
  });

  it("on start, finishes what it missed: a forget before its erasure, a report after it, another node's report", async () => {
    const before = await record([text("forgotten while no worker ran")]);
    const after = await record([text("erased, then stopped before the report")]);
    const reported = await record([text("reported by another node of org-0")]);
    const holds = async (id: string) =>
      new ContentStore(node.services.local, node.kek).holdsAny(
        (await view(id)).versions.map((version) => version.hash),
      );
    const failing: ModuleServices = Object.create(node.services, {
      submit: { value: async () => Promise.reject(new Error("stopped")) },
    });
    const first = recordWorker(failing, { log });
    await first.start();
    await tell(first, await forget(after));
    await first.stop();
    expect(await holds(after)).toBe(false);
    await forget(before);
    await forget(reported);
    const byOtherNode = { id: reported, custodian: "org-0" };
    await node.commit([node.harness.tx("record.forgotten", byOtherNode, node.harness.org(0).node)]);
    expect([await holds(before), await holds(reported)]).toEqual([true, true]);
    await node.reopenLocal();

    const worker = recordWorker(node.services, { log });
    await worker.start();
    const ids = node.pool.map((tx) => (tx.tx.payload as { id: string }).id).sort();
    expect(ids).toEqual([before, after].sort());
    for (const id of [before, after, reported]) expect(await holds(id)).toBe(false);
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
      await new ContentStore(node.services.local, node.kek).holds(version?.hash as string),
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
    // Erased all the same: the report failed, never the erasure.
    const [version] = (await view(id)).versions;
    expect(
      await new ContentStore(node.services.local, node.kek).holds(version?.hash as string),
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
});
