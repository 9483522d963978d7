import { randomBytes } from "node:crypto";
import {
  CareLedgerError,
  fromHex,
  type ModuleRoute,
  type ModuleRouteResponse,
} from "@careledger/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  CustodianNode,
  type CustodianNode as Node,
  ORIGIN,
  type Person,
} from "./custodianNode.testkit.js";
import { recordRoutes } from "./routes.js";
import { CUSTODIAN_DEFAULTS, type CustodianSettings, custodianSettings } from "./settings.js";

const SETTINGS: CustodianSettings = {
  ...CUSTODIAN_DEFAULTS,
  contentBytesMax: 1024,
  accessWindowMs: 60_000,
  headAgeMsMax: 30_000,
  pendingUploadsMax: 4,
  pendingBytesMax: 2048,
};

let node: Node;
let upload: ModuleRoute;
let read: ModuleRoute;
let clinician: Person;
let staff: Person;
let patient: Person;
let outsider: Person;
let consentId: string;
/** The wall clock the read route judges the head by: the head's own time, plus this. */
let clockAhead = 0;

beforeEach(async () => {
  node = await CustodianNode.create("custodian-routes");
  clockAhead = 0;
  const now = () => node.ledger.head.time + clockAhead;
  [upload, read] = recordRoutes(node.services, SETTINGS, { now }) as [ModuleRoute, ModuleRoute];
  clinician = await node.person("org-0", ["clinician"]);
  staff = await node.person("org-0", ["staff"]);
  patient = await node.person("org-0", ["patient"]);
  outsider = await node.person("org-1", ["clinician"]);
  // org-0's people may access the patient's records for treatment; org-1's may not.
  consentId = await node.consent(patient, "org-0");
});
afterEach(async () => {
  await node.close();
});

const newId = () => randomBytes(16).toString("hex");
const text = (value: string) => new TextEncoder().encode(value);

async function codeOf(answer: Promise<unknown>): Promise<string> {
  try {
    await answer;
  } catch (error) {
    if (error instanceof CareLedgerError) return error.code;
    throw error;
  }
  return "ok";
}

/** Uploads `body` as `by` for version 1 of a new record of `patient` (or of `target`). */
async function put(
  by: Person,
  body: unknown,
  target: { id: string; version?: number; patient?: Person } = { id: newId(), patient },
): Promise<ModuleRouteResponse> {
  return node.upload(upload, by, body, target);
}

async function anchor(
  id: string,
  hash: string,
  by: Person,
  forPatient = patient,
  custodian = "org-0",
) {
  const payload = {
    id,
    patient: forPatient.signer.publicKey,
    class: "lab",
    custodian,
    hash: fromHex(hash, 32),
  };
  return (await node.send("record.anchor", payload, by.signer)).receipt?.status;
}

async function get(by: Person, id: string, access: string): Promise<ModuleRouteResponse> {
  return read.handler({
    params: { id },
    query: { access },
    body: undefined,
    caller: await node.caller(by),
    origin: ORIGIN,
    url: `/v1/m/record/content/${id}?access=${access}`,
    accept: null,
  });
}

/** Uploads `content` as `by`, anchors it for `patient` at org-0, and answers the record's id. */
async function anchored(content: Uint8Array, by: Person = clinician): Promise<string> {
  const id = newId();
  const { hash } = (await put(by, content, { id, patient })).body as { hash: string };
  expect(await anchor(id, hash, by)).toBe("ok");
  return id;
}

async function logAccess(by: Person, record: string, version?: number): Promise<string> {
  const payload = { record, purpose: "TREAT", action: "access", ...(version && { version }) };
  const { id, receipt } = await node.send("access.log", payload, by.signer);
  expect(receipt?.status).toBe("ok");
  return id;
}

describe("POST /content", () => {
  it("stores a clinician's content and answers the hex hash to anchor, as 201 JSON", async () => {
    const answer = await put(clinician, text("upload"));
    expect(answer).toMatchObject({ status: 201, contentType: "application/json" });
    expect((answer.body as { hash: string }).hash).toMatch(/^[0-9a-f]{64}$/);
    expect((await put(staff, text("by staff"))).status).toBe(201);
  });

  it("takes uploads from the node organization's clinicians and staff only, by caller", async () => {
    const admin = node.harness.org(0).admin;
    const callers: Record<string, Person> = {
      clinician,
      staff,
      patient,
      otherClinician: outsider,
      operator: await node.person("org-0", ["operator"]),
      pharmacist: await node.person("org-0", ["pharmacist"]),
      clinicianPatient: await node.person("org-0", ["clinician", "patient"]),
      admin: { signer: admin, key: Buffer.from(admin.publicKey).toString("hex") },
    };
    const answers: Record<string, string> = {};
    for (const [who, person] of Object.entries(callers)) {
      answers[who] = await codeOf(put(person, text(`by ${who}`)));
    }
    expect(answers).toEqual({
      clinician: "ok",
      staff: "ok",
      patient: "FORBIDDEN",
      otherClinician: "FORBIDDEN",
      operator: "FORBIDDEN",
      pharmacist: "FORBIDDEN",
      // A key holding a subject's role reads as the subject.
      clinicianPatient: "FORBIDDEN",
      admin: "FORBIDDEN",
    });
  });

  it("answers RECORD_TOO_LARGE one byte past the bound and takes content at it", async () => {
    expect((await put(clinician, new Uint8Array(SETTINGS.contentBytesMax).fill(1))).status).toBe(
      201,
    );
    const past = new Uint8Array(SETTINGS.contentBytesMax + 1);
    expect(await codeOf(put(clinician, past))).toBe("RECORD_TOO_LARGE");
  });

  it("refuses BAD_REQUEST an empty body and one that is not bytes", async () => {
    expect(await codeOf(put(clinician, new Uint8Array(0)))).toBe("BAD_REQUEST");
    expect(await codeOf(put(clinician, { content: "json" }))).toBe("BAD_REQUEST");
  });
});

describe("GET /content/:id?access=", () => {
  it("answers the plaintext, uncached, to the reader of a committed permitted access", async () => {
    const id = await anchored(text("the lab result"));
    const answer = await get(clinician, id, await logAccess(clinician, id));
    expect(answer).toMatchObject({
      status: 200,
      contentType: "application/octet-stream",
      headers: { "cache-control": "no-store" },
    });
    expect(answer.body).toEqual(text("the lab result"));
    // The patient reads its own record with its own access.
    expect((await get(patient, id, await logAccess(patient, id))).body).toEqual(
      text("the lab result"),
    );
  });

  it("answers the version the access names: an earlier one, or the latest by default", async () => {
    const id = await anchored(text("version one"));
    const { hash } = (await put(clinician, text("version two"), { id, version: 2 })).body as {
      hash: string;
    };
    const amend = { id, custodian: "org-0", previous: 1, hash: fromHex(hash, 32) };
    expect((await node.send("record.amend", amend, clinician.signer)).receipt?.status).toBe("ok");
    expect((await get(clinician, id, await logAccess(clinician, id, 1))).body).toEqual(
      text("version one"),
    );
    expect((await get(clinician, id, await logAccess(clinician, id))).body).toEqual(
      text("version two"),
    );
  });

  it("answers ACCESS_NOT_FOUND for an unknown id and for a transaction that is no access.log", async () => {
    const id = await anchored(text("not found"));
    expect(await codeOf(get(clinician, id, "ab".repeat(32)))).toBe("ACCESS_NOT_FOUND");
    const revoke = await node.send(
      "identity.revoke",
      { key: staff.signer.publicKey },
      staff.signer,
    );
    expect(await codeOf(get(clinician, id, revoke.id))).toBe("ACCESS_NOT_FOUND");
  });

  it("answers ACCESS_NOT_FOUND for an access.log that failed", async () => {
    const id = await anchored(text("failed access"));
    const missing = newId();
    const { id: failed, receipt } = await node.send(
      "access.log",
      { record: missing, purpose: "TREAT", action: "access" },
      clinician.signer,
    );
    expect(receipt?.status).toBe("failed");
    expect(await codeOf(get(clinician, id, failed))).toBe("ACCESS_NOT_FOUND");
  });

  it("answers ACCESS_MISMATCH for another key's access and for an access to another record", async () => {
    const id = await anchored(text("mine"));
    const other = await anchored(text("other"));
    const access = await logAccess(clinician, id);
    expect(await codeOf(get(staff, id, access))).toBe("ACCESS_MISMATCH");
    expect(await codeOf(get(clinician, other, access))).toBe("ACCESS_MISMATCH");
  });

  it("answers ACCESS_DENIED for a denied access, even to its own logger", async () => {
    const id = await anchored(text("denied"));
    const access = await logAccess(outsider, id);
    expect(await codeOf(get(outsider, id, access))).toBe("ACCESS_DENIED");
  });

  it("answers ACCESS_EXPIRED once the head is past the window, and not at its edge", async () => {
    const id = await anchored(text("old"));
    const access = await logAccess(clinician, id);
    await node.commit([], SETTINGS.accessWindowMs);
    expect((await get(clinician, id, access)).status).toBe(200);
    await node.commit([], 1);
    expect(await codeOf(get(clinician, id, access))).toBe("ACCESS_EXPIRED");
  });

  it("answers RECORD_NOT_HELD on a node whose organization is not the record's custodian", async () => {
    const id = newId();
    const { hash } = (await put(clinician, text("held at org-1"), { id, patient })).body as {
      hash: string;
    };
    expect(await anchor(id, hash, outsider, patient, "org-1")).toBe("ok");
    const access = await logAccess(patient, id);
    expect(await codeOf(get(patient, id, access))).toBe("RECORD_NOT_HELD");
  });

  it("answers RECORD_FORGOTTEN once the patient asked to forget, before the erasure", async () => {
    const id = await anchored(text("forget me"));
    const access = await logAccess(clinician, id);
    const forget = { id, patient: patient.signer.publicKey };
    expect((await node.send("record.forget", forget, patient.signer)).receipt?.status).toBe("ok");
    expect(await codeOf(get(clinician, id, access))).toBe("RECORD_FORGOTTEN");
  });

  it("answers RECORD_TAMPERED when the stored ciphertext is not the anchored one", async () => {
    const id = await anchored(text("tampered"));
    const [[key, blob]] = (await node.services.local.scan({ prefix: "v/" })) as [
      [string, Uint8Array],
    ];
    expect(key).toMatch(/\/blob$/);
    const altered = Uint8Array.from(blob);
    altered[altered.byteLength - 1] = (altered[altered.byteLength - 1] as number) ^ 0x80;
    await node.services.local.put(key, altered);
    expect(await codeOf(get(clinician, id, await logAccess(clinician, id)))).toBe(
      "RECORD_TAMPERED",
    );
  });
});

describe("an upload is bound to the record version it is for", () => {
  it("opens only under the record it was uploaded for: anchored under another id, RECORD_NOT_HELD", async () => {
    const intended = newId();
    const { hash } = (await put(clinician, text("P's lab"), { id: intended, patient })).body as {
      hash: string;
    };
    // An insider anchors the hash under a record of its own choosing, for its accomplice.
    const accomplice = await node.person("org-0", ["patient"]);
    const stolen = newId();
    expect(await anchor(stolen, hash, staff, accomplice)).toBe("ok");
    const access = await logAccess(accomplice, stolen);
    expect(await codeOf(get(accomplice, stolen, access))).toBe("RECORD_NOT_HELD");
  });

  it("opens only for the patient it names: the same id front-run for another patient, RECORD_NOT_HELD", async () => {
    const id = newId();
    const { hash } = (await put(clinician, text("front-run"), { id, patient })).body as {
      hash: string;
    };
    const accomplice = await node.person("org-0", ["patient"]);
    expect(await anchor(id, hash, staff, accomplice)).toBe("ok");
    const access = await logAccess(accomplice, id);
    expect(await codeOf(get(accomplice, id, access))).toBe("RECORD_NOT_HELD");
  });

  it("checks the target against the head: a new id for version 1, the next version of an active record after", async () => {
    const id = await anchored(text("v1"));
    const codes = {
      v1Exists: await codeOf(put(clinician, text("x"), { id, patient })),
      v1NoPatient: await codeOf(put(clinician, text("x"), { id: newId() })),
      v2WithPatient: await codeOf(put(clinician, text("x"), { id, version: 2, patient })),
      v2Missing: await codeOf(put(clinician, text("x"), { id: newId(), version: 2 })),
      v3Conflict: await codeOf(put(clinician, text("x"), { id, version: 3 })),
      v257: await codeOf(put(clinician, text("x"), { id, version: 257 })),
      v2: await codeOf(put(clinician, text("x"), { id, version: 2 })),
    };
    expect(codes).toEqual({
      v1Exists: "ALREADY_EXISTS",
      v1NoPatient: "BAD_REQUEST",
      v2WithPatient: "BAD_REQUEST",
      v2Missing: "RECORD_NOT_FOUND",
      v3Conflict: "RECORD_VERSION_CONFLICT",
      v257: "BAD_REQUEST",
      v2: "ok",
    });
    const forget = { id, patient: patient.signer.publicKey };
    expect((await node.send("record.forget", forget, patient.signer)).receipt?.status).toBe("ok");
    expect(await codeOf(put(clinician, text("x"), { id, version: 2 }))).toBe("RECORD_FORGOTTEN");
  });

  it("takes a later version only at the node holding version 1 (content pinned to one node)", async () => {
    // Version 1 went to another node of org-0: this one holds nothing of the record.
    const id = newId();
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
    expect(await codeOf(put(clinician, text("v2 here"), { id, version: 2 }))).toBe(
      "RECORD_NOT_HELD",
    );
  });
});

describe("a read is judged again at a recent head", () => {
  it("answers ACCESS_DENIED once the consent that permitted the access is revoked", async () => {
    const id = await anchored(text("revoked"));
    const access = await logAccess(clinician, id);
    expect((await get(clinician, id, access)).status).toBe(200);
    const revoke = { id: consentId, patient: patient.signer.publicKey };
    expect((await node.send("consent.revoke", revoke, patient.signer)).receipt?.status).toBe("ok");
    expect(await codeOf(get(clinician, id, access))).toBe("ACCESS_DENIED");
    // The patient's own access does not rest on a consent.
    expect((await get(patient, id, await logAccess(patient, id))).status).toBe(200);
  });

  it("answers NODE_BEHIND when the head is older than headAgeMsMax by the clock, and not at it", async () => {
    const id = await anchored(text("stale"));
    const access = await logAccess(clinician, id);
    clockAhead = SETTINGS.headAgeMsMax;
    expect((await get(clinician, id, access)).status).toBe(200);
    clockAhead = SETTINGS.headAgeMsMax + 1;
    expect(await codeOf(get(clinician, id, access))).toBe("NODE_BEHIND");
  });
});

describe("upload quotas and bounds", () => {
  it("bounds each uploader's uploads not anchored yet, by count and by bytes: UPLOAD_QUOTA", async () => {
    for (let index = 0; index < SETTINGS.pendingUploadsMax; index++) {
      expect((await put(clinician, text(`pending ${index}`))).status).toBe(201);
    }
    expect(await codeOf(put(clinician, text("one more")))).toBe("UPLOAD_QUOTA");
    // Another uploader has a quota of its own; concurrent uploads cannot overrun it.
    const big = new Uint8Array(SETTINGS.contentBytesMax).fill(7);
    const answers = await Promise.all(
      [put(staff, big), put(staff, big), put(staff, big)].map(codeOf),
    );
    expect(answers.sort()).toEqual(["UPLOAD_QUOTA", "ok", "ok"]);
  });

  it("declares the content bound as the route's body bound, for the API to enforce first", () => {
    expect(upload.bodyBytesMax).toBe(SETTINGS.contentBytesMax);
  });
});

describe("custodian settings", () => {
  it("default what is absent and refuse what is out of range or unknown", () => {
    expect(custodianSettings({})).toEqual({
      contentBytesMax: 4 * 1024 * 1024,
      accessWindowMs: 600_000,
      headAgeMsMax: 60_000,
      pendingTtlMs: 3_600_000,
      pendingUploadsMax: 16,
      pendingBytesMax: 32 * 1024 * 1024,
    });
    // An access window of at most an hour: the read re-runs the decision, the window is short.
    expect(custodianSettings({ accessWindowMs: 3_600_000 }).accessWindowMs).toBe(3_600_000);
    expect(() => custodianSettings({ accessWindowMs: 3_600_001 })).toThrow(/accessWindowMs/);
    expect(() => custodianSettings({ contentBytesMax: 2048, pendingBytesMax: 1024 })).toThrow(
      /pendingBytesMax/,
    );
    expect(custodianSettings({ accessWindowMs: 5 }).accessWindowMs).toBe(5);
    expect(() => custodianSettings({ contentBytesMax: 0 })).toThrow(/contentBytesMax/);
    expect(() => custodianSettings({ contentBytesMax: 16 * 1024 * 1024 })).toThrow(
      /contentBytesMax/,
    );
    expect(() => custodianSettings({ accessWindowMs: 1.5 })).toThrow(/accessWindowMs/);
    expect(() => custodianSettings({ windowMs: 1 })).toThrow(/unknown/);
  });
});
