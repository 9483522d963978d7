import {
  type Canonical,
  isQueryResult,
  QUERIES,
  QUERY_ROUTES,
  type QueryName,
} from "@careledger/protocol";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { describe, expect, it } from "vitest";
import { canonicalToJson } from "./json.js";
import { memoryNode, registerCallers } from "./memoryNode.testkit.js";
import { buildApiServer } from "./server.js";
import { signedHeaders } from "./signed.testkit.js";

const hex = (digit: string) => digit.repeat(64);
const bytes = (fill: number) => new Uint8Array(32).fill(fill);

const organization = {
  id: "hospital",
  name: "St Mary's",
  kind: "hospital",
  adminKeys: [hex("a")],
  nodeKeys: [hex("b")],
  gs1CompanyPrefixes: ["0614141"],
};
const record = { org: "hospital", roles: ["clinician"], registeredAt: 3, revokedAt: 9 };
/** A proposal's change holds raw keys (Uint8Array): the part the JSON form must turn into hex. */
const proposal = (change: Canonical) => ({
  id: hex("1"),
  org: "hospital",
  proposer: hex("a"),
  change,
  createdAt: 4,
  expiresAt: 40,
  votes: { [hex("a")]: true, [hex("c")]: false },
  status: "passed",
  decidedAt: 6,
  effectiveAt: 8,
});
const params = {
  checkpointInterval: 100,
  window: 8,
  emptyBlockIntervalMs: 1_000,
  requestTimeoutMs: 5_000,
  viewChangeTimeoutMs: 2_000,
  clockSkewMaxMs: 500,
  blockTxsMax: 1_000,
};

const stamp = { height: 5, time: 1_700_000_000_000, by: hex("e") };
const consent = {
  id: "c".repeat(32),
  patient: hex("e"),
  grantee: { org: "hospital" },
  actions: ["access", "use"],
  purposes: ["TREAT"],
  classes: ["lab"],
  period: { start: 1_700_000_000_000, end: 1_800_000_000_000 },
  deny: [{ classes: ["mental-health"], except: [{ purposes: ["ETREAT"] }] }],
  status: "inactive",
  expired: false,
  granted: stamp,
  revoked: { ...stamp, height: 9 },
};
const access = {
  decision: "permit",
  reason: "break-glass",
  consent: null,
  breakGlass: true,
  accessor: hex("f"),
  accessorOrg: "hospital",
  patient: hex("e"),
  record: "a".repeat(32),
  version: 2,
  class: "lab",
  custodian: "hospital",
  action: "access",
  purpose: "BTG",
  access: hex("9"),
  height: 12,
  time: 1_700_000_100_000,
};
const recordView = {
  id: "a".repeat(32),
  patient: hex("e"),
  class: "lab",
  custodian: "hospital",
  status: "forgotten",
  versions: [{ version: 1, hash: hex("3"), anchored: stamp }],
  forgetRequested: stamp,
  forgotten: stamp,
};

const terms = {
  deductible: 100_000,
  coinsuranceBp: 2_000,
  outOfPocketMax: 300_000,
  timelyFilingDays: 365,
  disputeWindowDays: 180,
  rules: [{ code: "99213", allowedPerUnit: 12_000, copay: 2_500, copayOnly: true, preauth: false }],
};
const plan = {
  id: "gold-2027",
  insurer: "insurer",
  name: "Gold 2027",
  currency: "USD",
  period: { start: 1_700_000_000_000, end: 1_800_000_000_000 },
  versions: [{ version: 1, effective: 1_700_000_000_000, terms, registered: stamp }],
};
const coverage = {
  id: "e".repeat(32),
  insurer: "insurer",
  plan: "gold-2027",
  member: hex("e"),
  period: { start: 1_700_000_000_000 },
  enrolled: stamp,
  ended: stamp,
};
const line = {
  sequence: 1,
  submitted: 20_000,
  eligible: 12_000,
  copay: 2_500,
  deductible: 0,
  coinsurance: 0,
  memberShare: 2_500,
  benefit: 9_500,
  noncovered: 0,
};
const { sequence: _sequence, ...totals } = line;
const claimHistory: Canonical[] = [
  { status: "adjudicated", at: stamp },
  { status: "partially-paid", at: stamp, amount: 5_000, reference: hex("4") },
];
const claim = {
  id: "f".repeat(32),
  provider: "hospital",
  insurer: "insurer",
  coverage: "e".repeat(32),
  member: hex("e"),
  type: "professional",
  serviceDate: 1_700_000_000_000,
  items: [{ code: "99213", quantity: 1, unitPrice: 20_000 }],
  diagnoses: [hex("3")],
  evidence: [],
  response: {
    outcome: "complete",
    decision: "approved",
    plan: "gold-2027",
    planVersion: 1,
    currency: "USD",
    lines: [line, { ...line, sequence: 2, eligible: 0, benefit: 0, reason: "duplicate" }],
    totals,
    accumulators: { deductibleMet: 0, outOfPocketMet: 2_500 },
  },
  status: "partially-paid",
  payable: 9_500,
  paid: 5_000,
  recoverable: 0,
  disputeUntil: 1_715_552_000_000,
  submitted: stamp,
  history: claimHistory,
};
const preauthorization = {
  id: "f".repeat(32),
  provider: "hospital",
  insurer: "insurer",
  coverage: "e".repeat(32),
  member: hex("e"),
  period: { start: 1_700_000_000_000, end: 1_710_000_000_000 },
  items: [{ code: "70553", quantity: 1, unitPrice: 250_000 }],
  decision: "denied",
  approved: [],
  reason: "coverage-inactive",
  requested: stamp,
};
const GTIN = "09520123456788";
const packs = [{ gtin: GTIN, serials: ["12345"] }];
const product = {
  gtin: GTIN,
  manufacturer: "acme-pharma",
  name: "Amoxicillin 500 mg capsules, 21",
  ndc: "12345-678-90",
  form: "capsule",
  strength: "500 mg",
  registered: stamp,
};
const shipEvent = {
  kind: "ship",
  action: "OBSERVE",
  bizStep: "shipping",
  disposition: "in_transit",
  tx: hex("7"),
  index: 0,
  at: stamp,
  org: "acme-pharma",
  packs,
  cases: ["106141411234567897"],
  from: "acme-pharma",
  to: "north-wholesale",
};
const { from: _from, to: _to, ...unrouted } = shipEvent;
const commissionEvent = {
  ...unrouted,
  kind: "commission",
  action: "ADD",
  bizStep: "commissioning",
  disposition: "active",
  cases: [],
  lot: "ABC1",
  expiry: "280400",
};
const packView = {
  gtin: GTIN,
  serial: "12345",
  lot: "ABC1",
  expiry: "280400",
  manufacturer: "acme-pharma",
  status: "in-transit",
  custodian: "acme-pharma",
  inTransitTo: "north-wholesale",
  case: "106141411234567897",
  recalled: false,
  expired: false,
  suspect: { reason: "counterfeit", by: "north-wholesale", at: stamp },
  returnUnverified: false,
  commissioned: stamp,
};

/** Results as the ledger computes them, in canonical terms; each passes its query's schema. */
const RESULTS: Record<QueryName, Canonical[]> = {
  "identity.key": [
    { key: hex("a"), identity: record, adminOf: ["hospital"], revoked: false },
    { key: hex("d"), identity: null, adminOf: [], revoked: true },
  ],
  "identity.organizations": [
    { items: [organization], next: "aWRlbnRpdHk" },
    { items: [], next: null },
  ],
  "identity.organization": [organization, null],
  "identity.members": [{ items: [{ key: hex("a"), record, revoked: true }], next: null }],
  "gov.proposal": [
    proposal({ kind: "validator.add", key: bytes(7), org: "hospital" }),
    proposal({ kind: "org.admins", org: "hospital", add: [bytes(1)], remove: [bytes(2)] }),
    null,
  ],
  "gov.proposals": [
    {
      items: [
        proposal({ kind: "validator.remove", key: bytes(3) }),
        proposal({ kind: "org.add", organization }),
      ],
      next: "Z292",
    },
  ],
  "consensus.config": [
    {
      validators: [hex("1"), hex("2"), hex("3"), hex("4")],
      params,
      scheduled: [
        { height: 12, proposal: hex("5"), change: { kind: "param.set", name: "window", value: 4 } },
      ],
    },
  ],
  "consent.get": [consent, { ...consent, grantee: { key: hex("f") }, status: "active" }, null],
  "consent.ofPatient": [{ items: [consent], next: "Y29u" }],
  "consent.toKey": [{ items: [], next: null }],
  "consent.toOrg": [{ items: [consent], next: null }],
  "consent.delegates": [
    [{ patient: hex("e"), delegate: hex("d"), period: { start: 1 }, granted: stamp, active: true }],
  ],
  "consent.decision": [
    { decision: "deny", reason: "exception", consent: "c".repeat(32), breakGlass: false },
  ],
  "access.history": [
    { items: [access, { ...access, review: { justified: true, ...stamp } }], next: null },
  ],
  "access.ofCustodian": [{ items: [access], next: "YWNj" }],
  "access.breakGlass": [{ items: [access], next: null }],
  "record.get": [recordView, null],
  "record.ofPatient": [{ items: [recordView], next: null }],
  "plan.get": [plan, null],
  "coverage.get": [coverage, null],
  "coverage.ofMember": [{ items: [coverage], next: "Y292" }],
  "coverage.accumulators": [
    {
      coverage: "e".repeat(32),
      plan: "gold-2027",
      period: plan.period,
      currency: "USD",
      deductible: 100_000,
      deductibleMet: 0,
      outOfPocketMax: 300_000,
      outOfPocketMet: 2_500,
    },
    null,
  ],
  "claim.get": [
    claim,
    {
      ...claim,
      response: { outcome: "error", currency: "USD", errors: ["preauth-unknown"] },
      status: "error",
      payable: 0,
      paid: 0,
    },
    null,
  ],
  "claim.preauthorization": [preauthorization, null],
  "claim.ofMember": [{ items: [claim], next: null }],
  "claim.openOfInsurer": [{ items: [claim], next: "Y2xh" }],
  "claim.receivables": [{ items: [claim], next: null }],
  "product.get": [product, null],
  "pack.status": [
    {
      gtin: GTIN,
      serial: "12345",
      lot: "ABC1",
      expiry: "280400",
      status: "active",
      recalled: true,
      expired: false,
      suspect: false,
    },
    null,
  ],
  "pack.get": [{ ...packView, history: [commissionEvent, shipEvent] }, null],
  "case.get": [
    {
      sscc: "106141411234567897",
      custodian: "acme-pharma",
      status: "in-transit",
      inTransitTo: "north-wholesale",
      packs,
      packed: stamp,
    },
    null,
  ],
  "lot.packs": [{ items: [packView], next: "bG90" }],
  "pack.inventory": [{ items: [packView], next: null }],
  "lot.recalls": [
    {
      items: [
        { gtin: GTIN, lot: "ABC1", by: "acme-pharma", reason: "quality", class: "II", at: stamp },
      ],
      next: null,
    },
  ],
  "pack.suspects": [{ items: [packView], next: null }],
  "provenance.events": [{ items: [commissionEvent, shipEvent], next: "ZXZ0" }],
};

/** Parameters each query's schema accepts; the admin caller's organization is "hospital". */
const SEARCH: Record<QueryName, string> = {
  "identity.key": `?key=${hex("a")}`,
  "identity.organizations": "?limit=2",
  "identity.organization": "?id=hospital",
  "identity.members": "?org=hospital",
  "gov.proposal": `?id=${hex("1")}`,
  "gov.proposals": "",
  "consensus.config": "",
  "consent.get": `?id=${"c".repeat(32)}`,
  "consent.ofPatient": `?patient=${hex("e")}`,
  "consent.toKey": `?key=${hex("f")}`,
  "consent.toOrg": "?org=hospital",
  "consent.delegates": `?patient=${hex("e")}`,
  "consent.decision": `?accessor=${hex("f")}&record=${"a".repeat(32)}&action=access&purpose=TREAT`,
  "access.history": `?patient=${hex("e")}&limit=5`,
  "access.ofCustodian": "?org=hospital",
  "access.breakGlass": "?org=hospital",
  "record.get": `?id=${"a".repeat(32)}`,
  "record.ofPatient": `?patient=${hex("e")}`,
  "plan.get": "?id=gold-2027",
  "coverage.get": `?id=${"e".repeat(32)}`,
  "coverage.ofMember": `?member=${hex("e")}`,
  "coverage.accumulators": `?coverage=${"e".repeat(32)}`,
  "claim.get": `?id=${"f".repeat(32)}`,
  "claim.preauthorization": `?id=${"f".repeat(32)}`,
  "claim.ofMember": `?member=${hex("e")}&limit=5`,
  // The admin caller is the hospital's: the insurer's list of an insurer it administers.
  "claim.openOfInsurer": "?insurer=hospital",
  "claim.receivables": "?provider=hospital",
  "product.get": `?gtin=${GTIN}`,
  "pack.status": `?gtin=${GTIN}&serial=12345`,
  "pack.get": `?gtin=${GTIN}&serial=12345`,
  "case.get": "?sscc=106141411234567897",
  "lot.packs": `?gtin=${GTIN}&lot=ABC1`,
  "pack.inventory": "?org=hospital",
  "lot.recalls": "",
  "pack.suspects": "",
  "provenance.events": `?gtin=${GTIN}&serial=12345&from=0`,
};

const answerCheck = (name: QueryName) =>
  TypeCompiler.Compile(QUERY_ROUTES[name].responses[200].schema);

describe("each query's JSON answer schema, derived from its canonical result schema", () => {
  it("has example results for every built-in query, each a real result of its schema", () => {
    expect(Object.keys(RESULTS).sort()).toEqual(Object.keys(QUERIES).sort());
    for (const [name, results] of Object.entries(RESULTS)) {
      for (const result of results) {
        expect(isQueryResult(QUERIES[name as QueryName], result), name).toBe(true);
      }
    }
  });

  it("admits the JSON the api makes of every real result, and refuses the canonical value", () => {
    for (const [name, results] of Object.entries(RESULTS) as [QueryName, Canonical[]][]) {
      const check = answerCheck(name);
      for (const result of results) {
        const answer = { name, result: canonicalToJson(result) };
        expect(check.Errors(answer).First(), name).toBeUndefined();
        const holdsBytes = JSON.stringify(result, (_key, v) =>
          v instanceof Uint8Array ? "BYTES" : v,
        ).includes("BYTES");
        // Where the result holds bytes, the canonical value itself is not a JSON answer.
        if (holdsBytes) expect(check.Check({ name, result }), name).toBe(false);
      }
    }
  });

  it("is what each query's own route answers, over HTTP", async () => {
    const node = memoryNode();
    const signers = registerCallers(node);
    // The hospital's admin may run every built-in query (identity.members is its org's).
    const admin = signers.admin;
    if (admin === null) throw new Error("the admin has a key");
    const app = await buildApiServer(node);
    for (const [name, results] of Object.entries(RESULTS) as [QueryName, Canonical[]][]) {
      for (const result of results) {
        node.query = async () => result;
        const url = `/v1/query/${name}${SEARCH[name]}`;
        const answer = await app.inject({
          method: "GET",
          url,
          headers: signedHeaders(admin, { method: "GET", url }),
        });
        expect(answer.statusCode, name).toBe(200);
        expect(answer.json(), name).toEqual({ name, result: canonicalToJson(result) });
        expect(answerCheck(name).Check(answer.json()), name).toBe(true);
      }
    }
    await app.close();
  });
});
