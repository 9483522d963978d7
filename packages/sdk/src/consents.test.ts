import { CareLedgerError, decodeTx, keySigner } from "@careledger/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Access } from "./access.js";
import { CareLedgerClient } from "./client.js";
import { Consents } from "./consents.js";
import type { FakeCare } from "./fakeCare.testkit.js";
import { startCareNode } from "./fakeCareRoutes.testkit.js";
import type { FakeNode } from "./fakeNode.testkit.js";
import { generateKeyPair, type KeyPair } from "./keys.js";
import { allItems } from "./paging.js";
import { Records } from "./records.js";

const FAST = { retryDelayMs: 5, retryDelayMsMax: 20, timeoutMs: 2_000, retries: 0 };
const WAIT = { pollIntervalMs: 5, timeoutMs: 2_000 };
const HOSPITAL = "st-mary";

let node: FakeNode;
let care: FakeCare;
let patient: KeyPair;
let clinician: KeyPair;

beforeEach(async () => {
  ({ node, care } = await startCareNode(HOSPITAL));
  patient = generateKeyPair();
  clinician = generateKeyPair();
  care.register(patient.publicKey, HOSPITAL, ["patient"]);
  care.register(clinician.publicKey, HOSPITAL, ["clinician"]);
});
afterEach(() => node.close());

const clientOf = (who: KeyPair) =>
  new CareLedgerClient(node.url, { ...FAST, signer: keySigner(who.secretKey) });

const lastPayload = () => decodeTx(node.submitted.at(-1) as Uint8Array).tx.payload;

describe("consents", () => {
  it("grant a fresh id for the caller as patient, from the head's time, and resolve after commit", async () => {
    const consents = new Consents(clientOf(patient));
    const id = await consents.grant(
      { grantee: { key: clinician.accountId }, actions: ["access"], purposes: ["TREAT"] },
      WAIT,
    );
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    const head = await clientOf(patient).getBlock("latest");
    expect(lastPayload()).toEqual({
      id,
      patient: patient.publicKey,
      grantee: { key: clinician.publicKey },
      actions: ["access"],
      purposes: ["TREAT"],
      period: { start: (await clientOf(patient).getBlock(head.height - 1)).header.time },
    });
    const view = await consents.get(id);
    expect(view).toMatchObject({ id, status: "active", grantee: { key: clinician.accountId } });
  });

  it("revoke: the consent reads inactive, and the decision it gave turns to deny", async () => {
    const consents = new Consents(clientOf(patient));
    const id = await consents.grant(
      { grantee: { org: HOSPITAL }, actions: ["access"], purposes: ["TREAT"], classes: ["lab"] },
      WAIT,
    );
    const asked = {
      accessor: clinician.accountId,
      patient: patient.publicKey,
      class: "lab" as const,
    };
    expect(await consents.decision({ ...asked, purpose: "ETREAT" })).toEqual({
      decision: "permit",
      reason: "consent",
      consent: id,
      breakGlass: false,
    });
    const decisionQuery = node.requests.at(-1);
    expect(decisionQuery?.url).toContain("action=access");
    expect(decisionQuery?.signed?.key).toBe(patient.accountId);
    await consents.revoke(id, WAIT);
    expect(lastPayload()).toEqual({ id, patient: patient.publicKey });
    expect((await consents.get(id))?.status).toBe("inactive");
    expect((await consents.decision({ ...asked, purpose: "HPAYMT" })).decision).toBe("deny");
  });

  it("list a patient's consents page by page, and all of them through the iterator", async () => {
    const consents = new Consents(clientOf(patient));
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(
        await consents.grant(
          { grantee: { org: HOSPITAL }, actions: ["access"], purposes: ["TREAT"] },
          WAIT,
        ),
      );
    }
    const first = await consents.list(undefined, { limit: 2 });
    expect(first.items.map((consent) => consent.id)).toEqual(ids.slice(0, 2));
    expect(node.requests.at(-1)?.url).toBe(
      `/v1/query/consent.ofPatient?patient=${patient.accountId}&limit=2`,
    );
    const rest = await consents.list(patient.publicKey, { limit: 2, cursor: first.next ?? "" });
    expect(rest.items.map((consent) => consent.id)).toEqual(ids.slice(2));
    expect(rest.next).toBeNull();
    const all: string[] = [];
    for await (const consent of consents.listAll(undefined, { limit: 1 })) all.push(consent.id);
    expect(all).toEqual(ids);
  });

  it("refuse another key's consents as the contract says (a clinician is not the patient)", async () => {
    const error = await new Consents(clientOf(clinician))
      .list(patient.accountId)
      .catch((e: unknown) => e);
    expect((error as CareLedgerError).code).toBe("FORBIDDEN");
  });

  it("delegate and undelegate with the caller as patient, or as the delegate naming the patient", async () => {
    const guardian = generateKeyPair();
    care.register(guardian.publicKey, HOSPITAL, ["patient"]);
    await new Consents(clientOf(patient)).delegate(
      { delegate: guardian.accountId, period: { start: 5 } },
      WAIT,
    );
    expect(lastPayload()).toEqual({
      patient: patient.publicKey,
      delegate: guardian.publicKey,
      period: { start: 5 },
    });
    const asGuardian = new Consents(clientOf(guardian));
    expect((await asGuardian.list(patient.accountId)).items).toEqual([]);
    await asGuardian.undelegate({ patient: patient.accountId }, WAIT);
    expect(lastPayload()).toEqual({ patient: patient.publicKey, delegate: guardian.publicKey });
    const refused = await asGuardian.list(patient.accountId).catch((e: unknown) => e);
    expect((refused as CareLedgerError).code).toBe("FORBIDDEN");
  });

  it("need a client with a signer: the helpers act as that key", () => {
    const unsigned = new CareLedgerClient(node.url, FAST);
    for (const make of [
      () => new Consents(unsigned),
      () => new Records(unsigned),
      () => new Access(unsigned),
    ]) {
      expect(make).toThrow(CareLedgerError);
    }
  });

  it("refuse a grant with an invalid payload before sending it", async () => {
    const grant = new Consents(clientOf(patient)).grant({
      id: "not-an-id",
      grantee: { org: HOSPITAL },
      actions: ["access"],
      purposes: ["TREAT"],
    });
    expect(((await grant.catch((e: unknown) => e)) as CareLedgerError).code).toBe(
      "TX_PAYLOAD_INVALID",
    );
    expect(node.submitted).toHaveLength(0);
  });
});

describe("access", () => {
  it("history: a patient's accesses newest first, paged, and breakGlass for its organization", async () => {
    const { id } = await new Records(clientOf(clinician)).upload(new Uint8Array([1, 2, 3]), {
      patient: patient.publicKey,
      class: "lab",
      custodian: HOSPITAL,
      ...WAIT,
    });
    const records = new Records(clientOf(clinician));
    const urgent = await records.read(id, { purpose: "BTG" }, WAIT);
    const own = await new Records(clientOf(patient)).read(id, { purpose: "PATRQT" }, WAIT);
    const access = new Access(clientOf(patient));
    const page = await access.history(undefined, { limit: 1 });
    expect(page.items.map((entry) => entry.access)).toEqual([own.access]);
    const all: string[] = [];
    for await (const entry of access.historyAll()) all.push(entry.access);
    expect(all).toEqual([own.access, urgent.access]);
    const flagged = (await access.history()).items.find((entry) => entry.access === urgent.access);
    expect(flagged).toMatchObject({
      breakGlass: true,
      reason: "break-glass",
      accessor: clinician.accountId,
    });
    // Only an admin of the organization (or an operator) sees its break-the-glass list.
    const refused = await access.breakGlass(HOSPITAL).catch((e: unknown) => e);
    expect((refused as CareLedgerError).code).toBe("FORBIDDEN");
  });

  it("log returns a deny as a decision (records.read is what throws)", async () => {
    const { id } = await new Records(clientOf(clinician)).upload(new Uint8Array([9]), {
      patient: patient.publicKey,
      class: "lab",
      custodian: HOSPITAL,
      ...WAIT,
    });
    const stranger = generateKeyPair();
    care.register(stranger.publicKey, "elsewhere", ["insurer-agent"]);
    const logged = await new Access(clientOf(stranger)).log(
      id,
      { purpose: "HPAYMT", action: "use" },
      WAIT,
    );
    expect(logged.result).toMatchObject({
      decision: "deny",
      reason: "no-consent",
      action: "use",
      purpose: "HPAYMT",
    });
    expect(logged.access).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("allItems", () => {
  it("refuses a node that hands back the cursor it was given, which would page forever", async () => {
    const pages = allItems(async () => ({ items: [1], next: "same" }), { cursor: "same" });
    const seen: number[] = [];
    const error = await (async () => {
      for await (const item of pages) seen.push(item);
    })().catch((e: unknown) => e);
    expect(seen).toEqual([1]);
    expect((error as CareLedgerError).details.reason).toBe("bad-response");
  });
});
