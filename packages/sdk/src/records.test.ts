import { CareLedgerError, decodeTx, fromHex, keySigner, sha256, toHex } from "@careledger/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Access } from "./access.js";
import { Caller } from "./caller.js";
import { CareLedgerClient } from "./client.js";
import { Consents } from "./consents.js";
import type { FakeCare } from "./fakeCare.testkit.js";
import { FakeCareRoutes, startCareNode } from "./fakeCareRoutes.testkit.js";
import { FakeNode } from "./fakeNode.testkit.js";
import { generateKeyPair, type KeyPair } from "./keys.js";
import { Records } from "./records.js";

const FAST = { retryDelayMs: 5, retryDelayMsMax: 20, timeoutMs: 2_000, retries: 0 };
const WAIT = { pollIntervalMs: 5, timeoutMs: 2_000 };
const HOSPITAL = "st-mary";
const OTHER = "north-clinic";
const NOTE = new TextEncoder().encode("MARKER-7731: potassium 5.9 mmol/L, repeat in 2 h");

let node: FakeNode;
let care: FakeCare;
let routes: FakeCareRoutes;
let clinician: KeyPair;
let patient: KeyPair;
let outsider: KeyPair;

beforeEach(async () => {
  ({ node, care, routes } = await startCareNode(HOSPITAL));
  clinician = generateKeyPair();
  patient = generateKeyPair();
  outsider = generateKeyPair();
  care.register(clinician.publicKey, HOSPITAL, ["clinician"]);
  care.register(patient.publicKey, HOSPITAL, ["patient"]);
  care.register(outsider.publicKey, OTHER, ["clinician"]);
});
afterEach(() => node.close());

const clientOf = (who: KeyPair) =>
  new CareLedgerClient(node.url, { ...FAST, signer: keySigner(who.secretKey) });

async function rejection(promise: Promise<unknown>): Promise<CareLedgerError> {
  const error = await promise.then(
    () => new Error("expected a rejection"),
    (caught: unknown) => caught,
  );
  if (!(error instanceof CareLedgerError)) throw error;
  return error;
}

async function uploadNote(content = NOTE, recordClass: "lab" | "mental-health" = "lab") {
  return new Records(clientOf(clinician)).upload(content, {
    patient: patient.publicKey,
    class: recordClass,
    custodian: HOSPITAL,
    ...WAIT,
  });
}

async function grantOther() {
  return new Consents(clientOf(patient)).grant(
    {
      grantee: { org: OTHER },
      actions: ["access"],
      purposes: ["TREAT"],
      deny: [{ classes: ["mental-health"] }],
    },
    WAIT,
  );
}

describe("records.upload", () => {
  it("uploads to the custodian, anchors the ciphertext hash it answered, under a fresh random id", async () => {
    const first = await uploadNote();
    const second = await uploadNote();
    expect(first.id).toMatch(/^[0-9a-f]{32}$/);
    expect(second.id).not.toBe(first.id);
    expect(first.version).toBe(1);
    // The node answered the hash of what it stored (ciphertext), never of the plaintext.
    expect(routes.store.has(first.hash)).toBe(true);
    expect(first.hash).not.toBe(toHex(sha256(NOTE)));
    // The upload names the record version it is for, in the signed query: the custodian binds
    // the content to it and opens it for no other anchor.
    const binding = `record=${first.id}&version=1&patient=${patient.accountId}&class=lab`;
    const upload = node.requests.find(
      (request) => request.url === `/v1/m/record/content?${binding}`,
    );
    expect(upload?.method).toBe("POST");
    expect(upload?.signed?.key).toBe(clinician.accountId);
    const anchor = decodeTx(node.submitted[0] as Uint8Array);
    expect(anchor.tx.type).toBe("record.anchor");
    expect(anchor.tx.payload).toMatchObject({ id: first.id, class: "lab", custodian: HOSPITAL });
    const record = await new Records(clientOf(patient)).get(first.id);
    expect(record?.versions).toEqual([expect.objectContaining({ version: 1, hash: first.hash })]);
  });

  it("keeps a given id, and refuses content over the node's bound with ENCODING_TOO_LARGE", async () => {
    const id = "ab".repeat(16);
    expect((await uploadNote()).id).not.toBe(id);
    const given = await new Records(clientOf(clinician)).upload(NOTE, {
      patient: patient.accountId,
      class: "note",
      custodian: HOSPITAL,
      id,
      ...WAIT,
    });
    expect(given.id).toBe(id);
    const badId = new Records(clientOf(clinician)).upload(NOTE, {
      patient: patient.accountId,
      class: "note",
      custodian: HOSPITAL,
      id: "not-hex",
    });
    expect((await rejection(badId)).code).toBe("TX_PAYLOAD_INVALID");
    expect(routes.store.size).toBe(2);
    routes.contentBytesMax = 16;
    expect((await rejection(uploadNote())).code).toBe("ENCODING_TOO_LARGE");
  });

  it("is refused for a clinician of another organization, before anything is anchored", async () => {
    const records = new Records(clientOf(outsider));
    const upload = records.upload(NOTE, {
      patient: patient.publicKey,
      class: "lab",
      custodian: HOSPITAL,
    });
    expect((await rejection(upload)).code).toBe("FORBIDDEN");
    expect(node.submitted).toHaveLength(0);
  });
});

describe("records.read", () => {
  it("logs the access, waits, and fetches the plaintext naming that access, signed by the reader", async () => {
    const { id } = await uploadNote();
    const consent = await grantOther();
    const read = await new Records(clientOf(outsider)).read(id, { purpose: "TREAT" }, WAIT);
    expect(new TextDecoder().decode(read.content)).toBe(new TextDecoder().decode(NOTE));
    expect(read.decision).toMatchObject({
      decision: "permit",
      reason: "consent",
      consent,
      record: id,
      version: 1,
      accessor: outsider.accountId,
      custodian: HOSPITAL,
    });
    const fetched = node.requests.at(-1);
    expect(fetched?.url).toBe(`/v1/m/record/content/${id}?access=${read.access}`);
    expect(fetched?.signed?.key).toBe(outsider.accountId);
    const logged = decodeTx(node.submitted.at(-1) as Uint8Array);
    expect(toHex(logged.id)).toBe(read.access);
    expect(logged.tx.payload).toEqual({ record: id, purpose: "TREAT", action: "access" });
  });

  it("throws ACCESS_DENIED with the reason and fetches nothing when the decision is deny", async () => {
    const { id } = await uploadNote();
    const denied = await rejection(
      new Records(clientOf(outsider)).read(id, { purpose: "TREAT" }, WAIT),
    );
    expect(denied.code).toBe("ACCESS_DENIED");
    expect(denied.details).toMatchObject({ reason: "no-consent", consent: null });
    expect(node.requests.some((request) => request.url.startsWith(`/v1/m/record/content/`))).toBe(
      false,
    );
    // A deny exception of the consent: the record's class is excepted.
    const sensitive = await uploadNote(NOTE, "mental-health");
    const consent = await grantOther();
    const excepted = await rejection(
      new Records(clientOf(outsider)).read(sensitive.id, { purpose: "TREAT" }, WAIT),
    );
    expect(excepted.details).toMatchObject({ reason: "exception", consent });
  });

  it("reads an earlier version when asked, the latest otherwise, after an amend", async () => {
    const { id } = await uploadNote();
    const amended = await new Records(clientOf(clinician)).amend(
      id,
      new TextEncoder().encode("v2"),
      WAIT,
    );
    expect(amended.version).toBe(2);
    const reader = new Records(clientOf(patient));
    const latest = await reader.read(id, { purpose: "PATRQT" }, WAIT);
    expect(new TextDecoder().decode(latest.content)).toBe("v2");
    expect(latest.decision.reason).toBe("own-record");
    const first = await reader.read(id, { purpose: "PATRQT", version: 1 }, WAIT);
    expect(first.content).toEqual(NOTE);
    const amend = decodeTx(
      node.submitted.find((bytes) => decodeTx(bytes).tx.type === "record.amend") as Uint8Array,
    );
    expect(amend.tx.payload).toMatchObject({
      id,
      custodian: HOSPITAL,
      previous: 1,
      hash: expect.any(Uint8Array),
    });
    // Its upload named the version it is for; the patient and class are the record's.
    const uploads = node.requests.filter((request) =>
      request.url.startsWith("/v1/m/record/content?"),
    );
    expect(uploads.at(-1)?.url).toBe(`/v1/m/record/content?record=${id}&version=2`);
  });

  it("passes on the custodian's RECORD_NOT_HELD for content uploaded for another record", async () => {
    const { hash } = await uploadNote();
    // Anchored by hand under another id: the custodian bound the content to the first one.
    const other = "ef".repeat(16);
    const anchor = {
      id: other,
      patient: patient.publicKey,
      class: "lab" as const,
      custodian: HOSPITAL,
    };
    await new Caller(clientOf(clinician)).commit(
      "record.anchor",
      { ...anchor, hash: fromHex(hash, 32) },
      WAIT,
    );
    const error = await rejection(
      new Records(clientOf(patient)).read(other, { purpose: "PATRQT" }, WAIT),
    );
    expect(error.code).toBe("RECORD_NOT_HELD");
  });

  it("refuses a receipt whose decision names another record, before asking for content", async () => {
    const { id } = await uploadNote();
    await grantOther();
    // A lying node: the access.log receipt answers for some other record.
    node.modules.unshift((signed) =>
      signed.tx.type === "access.log"
        ? { result: { ...forgedResult(id), record: "cd".repeat(16) } }
        : undefined,
    );
    const error = await rejection(
      new Records(clientOf(outsider)).read(id, { purpose: "TREAT" }, WAIT),
    );
    expect(error.details.reason).toBe("bad-response");
    expect(error.message).toContain("access.log result.record");
    expect(node.requests.some((request) => request.url.startsWith("/v1/m/record/content/"))).toBe(
      false,
    );
  });

  it("reads the decision from the proven receipt with a trust anchor, and refuses a forged one", async () => {
    const { id } = await uploadNote();
    await grantOther();
    const trust = { chainId: node.chain.chainId, validators: node.chain.validators };
    const reader = new Records(clientOf(outsider));
    const read = await reader.read(id, { purpose: "TREAT" }, { ...WAIT, trust });
    expect(read.decision.reason).toBe("consent");
    expect(node.requests.some((request) => request.url.endsWith("/receipt-proof"))).toBe(true);
    // The node now forges receipts in its proofs: a plain ok without the decision.
    node.forgeReceipts = true;
    const forged = await rejection(reader.read(id, { purpose: "TREAT" }, { ...WAIT, trust }));
    expect(forged.code).toBe("PROOF_INVALID");
  });

  it("passes on the custodian's RECORD_TAMPERED when the stored ciphertext no longer matches", async () => {
    const { id, hash } = await uploadNote();
    routes.tamper(hash);
    const error = await rejection(
      new Records(clientOf(patient)).read(id, { purpose: "PATRQT" }, WAIT),
    );
    expect(error.code).toBe("RECORD_TAMPERED");
  });

  it("permits break the glass by a clinician, flagged, listed for the organization's review", async () => {
    const { id } = await uploadNote();
    const read = await new Records(clientOf(outsider)).read(id, { purpose: "ETREAT" }, WAIT);
    expect(read.decision).toMatchObject({
      decision: "permit",
      reason: "break-glass",
      breakGlass: true,
    });
    const admin = generateKeyPair();
    care.admins.set(OTHER, new Set([admin.accountId]));
    const access = new Access(clientOf(admin));
    const awaiting = await access.breakGlass(OTHER);
    expect(awaiting.items.map((entry) => entry.access)).toEqual([read.access]);
    await access.review({ org: OTHER, access: read.access, justified: true }, WAIT);
    expect((await access.breakGlass(OTHER)).items).toEqual([]);
  });
});

describe("Records with custodianNode", () => {
  it("sends content to the custodian's own node and transactions to the client's", async () => {
    // Another node serving the content routes over the same chain state (the custodian's).
    const custodianNode = await FakeNode.start();
    const custodianRoutes = new FakeCareRoutes(custodianNode, care);
    try {
      const asked: string[] = [];
      const at = (who: KeyPair) => ({
        custodianNode: (org: string) => {
          asked.push(org);
          // Its own signer is not used: content requests are signed by the helper's key.
          return new CareLedgerClient(custodianNode.url, FAST);
        },
        client: clientOf(who),
      });
      const clinicianSide = at(clinician);
      const { id, hash } = await new Records(clinicianSide.client, clinicianSide).upload(NOTE, {
        patient: patient.publicKey,
        class: "lab",
        custodian: HOSPITAL,
        ...WAIT,
      });
      expect(custodianRoutes.store.has(hash)).toBe(true);
      expect(routes.store.size).toBe(0);
      const patientSide = at(patient);
      const read = await new Records(patientSide.client, patientSide).read(
        id,
        { purpose: "PATRQT" },
        WAIT,
      );
      expect(read.content).toEqual(NOTE);
      expect(asked).toEqual([HOSPITAL, HOSPITAL]);
      const fetched = custodianNode.requests.at(-1);
      expect(fetched?.url).toBe(`/v1/m/record/content/${id}?access=${read.access}`);
      expect(fetched?.signed?.key).toBe(patient.accountId);
      expect(node.requests.some((request) => request.url.startsWith("/v1/m/"))).toBe(false);
    } finally {
      await custodianNode.close();
    }
  });
});

describe("records.forget", () => {
  it("asks for the erasure, waits for the custodian's report, and reads then answer RECORD_FORGOTTEN", async () => {
    const { id, hash } = await uploadNote();
    const records = new Records(clientOf(patient));
    const asked = await records.forget(id, WAIT);
    expect(asked.id).toBe(id);
    const forget = decodeTx(node.submitted.at(-1) as Uint8Array);
    expect(forget.tx.payload).toEqual({ id, patient: patient.publicKey });
    const erased = await records.erased(id, { timeoutMs: 2_000 });
    expect(erased.status).toBe("forgotten");
    expect(routes.store.has(hash)).toBe(false);
    const error = await rejection(records.read(id, { purpose: "PATRQT" }, WAIT));
    expect(error.code).toBe("RECORD_FORGOTTEN");
  });

  it("lists a patient's records, page by page", async () => {
    const ids = [(await uploadNote()).id, (await uploadNote()).id, (await uploadNote()).id];
    const records = new Records(clientOf(patient));
    const page = await records.ofPatient(undefined, { limit: 2 });
    expect(page.items).toHaveLength(2);
    expect(page.next).not.toBeNull();
    const all: string[] = [];
    for await (const record of records.ofPatientAll(patient.accountId, { limit: 2 }))
      all.push(record.id);
    expect(all).toEqual(ids);
  });
});

function forgedResult(record: string) {
  return {
    decision: "permit",
    reason: "consent",
    consent: null,
    breakGlass: false,
    accessor: outsider.accountId,
    accessorOrg: OTHER,
    patient: patient.accountId,
    record,
    version: 1,
    class: "lab",
    custodian: HOSPITAL,
    action: "access",
    purpose: "TREAT",
  };
}
