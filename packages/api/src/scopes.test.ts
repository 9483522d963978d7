import { type SignedTx, type Signer, toHex } from "@careledger/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CONSENT_ID,
  claimsFhirSampleRoutes,
  PATIENT,
  SAMPLE_MODULE_ROUTES,
} from "./fhirRoutes.testkit.js";
import {
  CALLER_KINDS,
  type CallerKind,
  MEMORY_CLAIM_ID,
  MEMORY_CONSENT_ID,
  MEMORY_COVERAGE_ID,
  MEMORY_QUERY_NAMES,
  MEMORY_RECORD_ID,
  memoryNode,
  registerCallers,
  sampleTx,
} from "./memoryNode.testkit.js";
import { type ApiServer, buildApiServer } from "./server.js";
import { signedHeaders } from "./signed.testkit.js";

type Who = CallerKind;
const EVERYONE = CALLER_KINDS;
const REGISTERED = EVERYONE.filter((who) => who !== "none");
/** Member operators: an `operator` key (of another organization, even) and an org admin; never `staff`. */
const OPERATORS: Who[] = ["operator", "admin"];

/** `ok`: answered (2xx or 3xx); for tx lookups, whether the receipt came with the position. */
type Outcome = "ok" | "receipt" | "position" | "FORBIDDEN" | "REQUEST_UNSIGNED" | "NOT_FOUND";
type Expected = Record<Who, Outcome>;

const all = (outcome: Outcome): Expected =>
  Object.fromEntries(EVERYONE.map((who) => [who, outcome])) as Expected;
/** A signed route: `allowed` get `ok`, other registered callers FORBIDDEN, anonymous unsigned. */
const signedFor = (allowed: readonly Who[]): Expected =>
  Object.fromEntries(
    EVERYONE.map((who) => [
      who,
      who === "none" ? "REQUEST_UNSIGNED" : allowed.includes(who) ? "ok" : "FORBIDDEN",
    ]),
  ) as Expected;

/**
 * Who may run each module query, as protocol `QUERIES` declares it (the api checks the
 * declaration; the ledger checks it again): `member-staff` is an admin or a member
 * organization's people (clinicians, insurer agents, regulators, staff, operators), never a
 * patient or a device.
 */
const MEMBER_STAFF: readonly Who[] = [
  "custodianClinician",
  "otherClinician",
  "insurerAgent",
  "regulator",
  "staff",
  "operator",
  "admin",
];
/** The hospital's people: its registered keys that are no subject, and its admin. */
const HOSPITAL_PEOPLE: readonly Who[] = ["custodianClinician", "staff", ...OPERATORS];
const QUERY_ACCESS: Record<(typeof MEMORY_QUERY_NAMES)[number], readonly Who[]> = {
  // Of a key no organization holds: the key itself (none here) and operators only.
  "identity.key": OPERATORS,
  "identity.organizations": REGISTERED,
  "identity.organization": REGISTERED,
  // Of org "hospital" (the callers' custodian organization): its admins and operators.
  "identity.members": OPERATORS,
  "gov.proposal": MEMBER_STAFF,
  "gov.proposals": MEMBER_STAFF,
  "consensus.config": MEMBER_STAFF,
  // The patient's consent to the organization "clinic": its patient, its delegate, the clinic's
  // people (otherClinician, and the clinic's operator, an operator anyway), operators.
  "consent.get": ["patient", "delegate", "otherClinician", ...OPERATORS],
  // Of the patient: itself, its delegate in force, operators; never the grantee or staff.
  "consent.ofPatient": ["patient", "delegate", ...OPERATORS],
  // Of a key no one here holds: the key itself and operators.
  "consent.toKey": OPERATORS,
  // Of the hospital: its people (an admin of it counts) and operators.
  "consent.toOrg": HOSPITAL_PEOPLE,
  // Delegations are the patient's and the operators' to list, not the delegate's.
  "consent.delegates": ["patient", ...OPERATORS],
  // A decision about the patient for another accessor: the patient, its delegate, operators.
  "consent.decision": ["patient", "delegate", ...OPERATORS],
  "access.history": ["patient", "delegate", ...OPERATORS],
  "access.ofCustodian": HOSPITAL_PEOPLE,
  // Break-the-glass reviews: the hospital's admin, and operators.
  "access.breakGlass": OPERATORS,
  // The patient's record held by the hospital: the patient, its delegate, the hospital's people.
  "record.get": ["patient", "delegate", "custodianClinician", "staff", ...OPERATORS],
  "record.ofPatient": ["patient", "delegate", ...OPERATORS],
  // Plans are the consortium's terms: any member organization's people.
  "plan.get": MEMBER_STAFF,
  // The patient's key is the member here; the insurer's agent; operators. No delegate: a
  // member key is not the consent key, so a consent delegation does not reach it.
  "coverage.get": ["patient", "insurerAgent", ...OPERATORS],
  "coverage.ofMember": ["patient", ...OPERATORS],
  "coverage.accumulators": ["patient", "insurerAgent", ...OPERATORS],
  // A claim by the hospital: its member, the hospital's people, the insurer's agent, operators.
  "claim.get": ["patient", "custodianClinician", "staff", "insurerAgent", ...OPERATORS],
  "claim.preauthorization": [
    "patient",
    "custodianClinician",
    "staff",
    "insurerAgent",
    ...OPERATORS,
  ],
  "claim.ofMember": ["patient", ...OPERATORS],
  // An insurer's work list: its own people, and operators (as every organization's list).
  "claim.openOfInsurer": ["insurerAgent", ...OPERATORS],
  "claim.receivables": HOSPITAL_PEOPLE,
  // Provenance: product master data and a pack's status are public (verification answers).
  "product.get": EVERYONE,
  "pack.status": MEMBER_STAFF,
  // Of a pack or case no one here held: regulators and operators only.
  "pack.get": ["regulator", ...OPERATORS],
  "case.get": ["regulator", ...OPERATORS],
  // Of a product no one here makes: regulators and operators.
  "lot.packs": ["regulator", ...OPERATORS],
  // Of the hospital: its own people and admin (another member's operator sees no stock of it).
  "pack.inventory": ["custodianClinician", "staff", "admin"],
  "lot.recalls": REGISTERED,
  "pack.suspects": ["regulator", ...OPERATORS],
  // Any member's people, each seeing the events its organization is a party to.
  "provenance.events": MEMBER_STAFF,
};

/** Parameters each query's schema accepts (it refuses any other); `P` is the patient's key. */
const QUERY_PARAMS: Record<(typeof MEMORY_QUERY_NAMES)[number], string> = {
  "identity.key": `key=${"ab".repeat(32)}`,
  "identity.organizations": "",
  "identity.organization": "id=hospital",
  "identity.members": "org=hospital",
  "gov.proposal": `id=${"cd".repeat(32)}`,
  "gov.proposals": "limit=10",
  "consensus.config": "",
  "consent.get": `id=${MEMORY_CONSENT_ID}`,
  "consent.ofPatient": "patient=P",
  "consent.toKey": `key=${"ab".repeat(32)}`,
  "consent.toOrg": "org=hospital",
  "consent.delegates": "patient=P",
  "consent.decision": `accessor=${"ab".repeat(32)}&patient=P&action=access&purpose=TREAT`,
  "access.history": "patient=P",
  "access.ofCustodian": "org=hospital",
  "access.breakGlass": "org=hospital",
  "record.get": `id=${MEMORY_RECORD_ID}`,
  "record.ofPatient": "patient=P",
  "plan.get": "id=gold-2027",
  "coverage.get": `id=${MEMORY_COVERAGE_ID}`,
  "coverage.ofMember": "member=P",
  "coverage.accumulators": `coverage=${MEMORY_COVERAGE_ID}`,
  "claim.get": `id=${MEMORY_CLAIM_ID}`,
  "claim.preauthorization": `id=${MEMORY_CLAIM_ID}`,
  "claim.ofMember": "member=P",
  "claim.openOfInsurer": "insurer=insurer",
  "claim.receivables": "provider=hospital",
  "product.get": "gtin=09520123456788",
  "pack.status": "gtin=09520123456788&serial=12345",
  "pack.get": "gtin=09520123456788&serial=12345",
  "case.get": "sscc=106141411234567897",
  "lot.packs": "gtin=09520123456788&lot=ABC1",
  "pack.inventory": "org=hospital",
  "lot.recalls": "",
  "pack.suspects": "",
  "provenance.events": "kind=ship&limit=10",
};

interface Row {
  /** The route as fastify registered it, `METHOD url`. */
  readonly route: string;
  /** What this row probes, when a route has several (a side door, say). */
  readonly case?: string;
  /** The concrete path; for POSTs, the body too. */
  readonly path: (fixture: Fixture, caller: string | null) => string;
  readonly body?: (fixture: Fixture) => { type: string; bytes: Uint8Array | string };
  readonly expected: Expected;
  /** The answer is a tx lookup: its outcome is whether the receipt came with the position. */
  readonly lookup?: true;
}

interface Fixture {
  /** A committed transaction sent by the patient, and one by the other patient. */
  readonly patientTx: SignedTx;
  readonly otherPatientTx: SignedTx;
}

const hexKey = (key: string) => Buffer.from(key).toString("hex");
const freshTx = () => ({ type: "application/msgpack", bytes: sampleTx().bytes });

const ROWS: readonly Row[] = [
  { route: "GET /v1/status", path: () => "/v1/status", expected: all("ok") },
  { route: "GET /v1/blocks/latest", path: () => "/v1/blocks/latest", expected: all("ok") },
  { route: "GET /v1/blocks/:height", path: () => "/v1/blocks/1", expected: all("ok") },
  {
    route: "GET /v1/blocks/:height/txs",
    case: "block bodies",
    path: () => "/v1/blocks/1/txs",
    expected: signedFor(OPERATORS),
  },
  { route: "POST /v1/txs", path: () => "/v1/txs", body: freshTx, expected: all("ok") },
  {
    route: "POST /v1/txs/batch",
    path: () => "/v1/txs/batch",
    body: () => ({
      type: "application/json",
      bytes: JSON.stringify({ txs: [Buffer.from(sampleTx().bytes).toString("base64")] }),
    }),
    expected: all("ok"),
  },
  {
    route: "GET /v1/txs/:id",
    case: "another's receipt",
    path: (f) => `/v1/txs/${toHex(f.patientTx.id)}`,
    lookup: true,
    expected: { ...all("position"), patient: "receipt", operator: "receipt", admin: "receipt" },
  },
  {
    route: "GET /v1/txs/:id/proof",
    path: (f) => `/v1/txs/${toHex(f.patientTx.id)}/proof`,
    expected: all("ok"),
  },
  {
    route: "GET /v1/txs/:id/receipt-proof",
    case: "another's receipt",
    path: (f) => `/v1/txs/${toHex(f.patientTx.id)}/receipt-proof`,
    expected: signedFor(["patient", ...OPERATORS]),
  },
  {
    route: "GET /v1/state/:key",
    case: "identity state",
    path: () => `/v1/state/${hexKey("identity/ab")}?proof=true`,
    expected: signedFor(OPERATORS),
  },
  {
    route: "GET /v1/state/:key",
    case: "a scoped module's key",
    path: () => `/v1/state/${hexKey("consent/ab")}`,
    expected: all("FORBIDDEN"),
  },
  {
    route: "GET /v1/state/:key",
    case: "a key a module publishes",
    path: () => `/v1/state/${hexKey("public/ab")}`,
    expected: all("ok"),
  },
  { route: "GET /v1/queries", path: () => "/v1/queries", expected: all("ok") },
  // Each query is its own route (protocol QUERY_ROUTES); the generic one serves other names.
  ...MEMORY_QUERY_NAMES.map(
    (name): Row => ({
      route: `GET /v1/query/${name}`,
      path: (f) => {
        const search = QUERY_PARAMS[name].replace("=P", `=${toHex(f.patientTx.tx.from)}`);
        return `/v1/query/${name}${search === "" ? "" : `?${search}`}`;
      },
      // A public query answers anonymous callers too.
      expected: QUERY_ACCESS[name].includes("none") ? all("ok") : signedFor(QUERY_ACCESS[name]),
    }),
  ),
  {
    route: "GET /v1/query/consent.decision",
    // The caller asks for itself (the contract's `self` rule), naming the record and a right
    // guess of its patient: only who may read the record's metadata is answered; a stranger is
    // refused, as it is for a wrong guess, so the answer tells it nothing (B1).
    case: "a record and its patient, the caller as accessor",
    path: (f, caller) =>
      `/v1/query/consent.decision?accessor=${caller ?? "ab".repeat(32)}&record=${MEMORY_RECORD_ID}` +
      `&patient=${toHex(f.patientTx.tx.from)}&action=access&purpose=TREAT`,
    expected: signedFor(["patient", "delegate", "custodianClinician", "staff", ...OPERATORS]),
  },
  {
    route: "GET /v1/query/consent.decision",
    // Another accessor, a record named alone: its patient and delegate (and operators) may ask,
    // no stranger, not even the record's custodian's people (they are not the accessor).
    case: "a record alone, for another accessor",
    path: () =>
      `/v1/query/consent.decision?accessor=${"ab".repeat(32)}&record=${MEMORY_RECORD_ID}` +
      "&action=access&purpose=TREAT",
    expected: signedFor(["patient", "delegate", ...OPERATORS]),
  },
  {
    route: "GET /v1/query/:name",
    case: "a name no module serves",
    path: () => "/v1/query/nothing.here",
    expected: all("NOT_FOUND"),
  },
  {
    route: "GET /v1/query/identity.key",
    case: "identity.key of a hospital patient",
    path: (f) => `/v1/query/identity.key?key=${toHex(f.patientTx.tx.from)}`,
    // The key itself, operators, and the hospital's staff; no one elsewhere, no other subject.
    expected: signedFor(["patient", "custodianClinician", "staff", ...OPERATORS]),
  },
  { route: "GET /v1/events", case: "blocks", path: () => "/v1/events", expected: all("ok") },
  {
    route: "GET /v1/events",
    case: "a patient's account",
    path: (f) => `/v1/events?account=${toHex(f.patientTx.tx.from)}`,
    expected: signedFor(["patient", ...OPERATORS]),
  },
  {
    route: "GET /v1/events",
    case: "by type (narrows to what the caller sees)",
    path: () => "/v1/events?type=identity.register",
    expected: signedFor(REGISTERED),
  },
  // Module routes: a public one under its module, and FHIR ones under the FHIR base.
  {
    route: "GET /v1/m/provenance/items/:gtin",
    path: () => "/v1/m/provenance/items/09506000134352",
    expected: all("ok"),
  },
  {
    route: "GET /fhir/R4/Consent/:id",
    // The sample route's own rule (keys registered at the hospital): this row tests the FHIR
    // mounting and authentication; the real route answers consent.get for the caller, whose
    // rule is its row above (and the cluster test reads it through the real node).
    case: "a consent the hospital holds",
    path: () => `/fhir/R4/Consent/${CONSENT_ID}`,
    expected: signedFor([
      "patient",
      "otherPatient",
      "device",
      "custodianClinician",
      "staff",
      "delegate",
    ]),
  },
  {
    route: "GET /fhir/R4/AuditEvent",
    path: () => `/fhir/R4/AuditEvent?patient=${PATIENT}`,
    expected: signedFor(REGISTERED),
  },
  // The claims FHIR routes answer claim.get, coverage.get and the member lists for the caller.
  {
    route: "GET /fhir/R4/Claim/:id",
    path: () => `/fhir/R4/Claim/${MEMORY_CLAIM_ID}`,
    expected: signedFor(QUERY_ACCESS["claim.get"]),
  },
  {
    route: "GET /fhir/R4/ClaimResponse/:id",
    path: () => `/fhir/R4/ClaimResponse/${MEMORY_CLAIM_ID}`,
    expected: signedFor(QUERY_ACCESS["claim.get"]),
  },
  {
    route: "GET /fhir/R4/Coverage/:id",
    path: () => `/fhir/R4/Coverage/${MEMORY_COVERAGE_ID}`,
    expected: signedFor(QUERY_ACCESS["coverage.get"]),
  },
  {
    route: "GET /fhir/R4/Claim",
    path: (f) => `/fhir/R4/Claim?patient=Patient/${toHex(f.patientTx.tx.from)}`,
    expected: signedFor(QUERY_ACCESS["claim.ofMember"]),
  },
  {
    route: "GET /fhir/R4/ClaimResponse",
    path: (f) => `/fhir/R4/ClaimResponse?patient=${toHex(f.patientTx.tx.from)}`,
    expected: signedFor(QUERY_ACCESS["claim.ofMember"]),
  },
  {
    route: "GET /fhir/R4/Coverage",
    path: (f) => `/fhir/R4/Coverage?beneficiary=${toHex(f.patientTx.tx.from)}`,
    expected: signedFor(QUERY_ACCESS["coverage.ofMember"]),
  },
  { route: "GET /fhir/R4/metadata", path: () => "/fhir/R4/metadata", expected: all("ok") },
  // Root module routes (protocol MODULE_ROOT_PREFIXES). The sample routes' own rules: these rows
  // test the root mounting and the access modes; what the real provenance routes show each
  // caller is `pack.status`'s, `pack.get`'s and `provenance.events`' (rows above, and the
  // ledger's responder tests).
  {
    route: "GET /01/:gtin/21/:serial",
    path: () => "/01/09520123456788/21/S1?17=301231",
    expected: all("ok"),
  },
  { route: "GET /epcis/events", path: () => "/epcis/events", expected: signedFor(REGISTERED) },
  { route: "GET /healthz", path: () => "/healthz", expected: all("ok") },
  { route: "GET /readyz", path: () => "/readyz", expected: all("ok") },
  { route: "GET /metrics", path: () => "/metrics", expected: all("ok") },
  { route: "GET /openapi.json", path: () => "/openapi.json", expected: all("ok") },
  { route: "GET /docs", path: () => "/docs", expected: all("ok") },
  { route: "HEAD /docs/", path: () => "/docs/", expected: all("ok") },
  { route: "GET /docs/json", path: () => "/docs/json", expected: all("ok") },
  { route: "GET /docs/yaml", path: () => "/docs/yaml", expected: all("ok") },
  {
    route: "GET /docs/static/index.html",
    path: () => "/docs/static/index.html",
    expected: all("ok"),
  },
  {
    route: "GET /docs/static/swagger-initializer.js",
    path: () => "/docs/static/swagger-initializer.js",
    expected: all("ok"),
  },
  {
    route: "GET /docs/static/*",
    path: () => "/docs/static/swagger-ui.css",
    expected: all("ok"),
  },
];

/** A GET row also walks its HEAD twin, which fastify registers beside it (same handler). */
function methodsOf(row: Row): string[] {
  const method = row.route.split(" ")[0] as string;
  return method === "GET" ? ["GET", "HEAD"] : [method];
}

/** Sends one request as `who` over real HTTP and reads the outcome from the answer. */
async function outcomeOf(
  base: string,
  signer: Signer | null,
  method: string,
  row: Row,
  fixture: Fixture,
): Promise<Outcome | string> {
  const path = row.path(fixture, signer === null ? null : toHex(signer.publicKey));
  const body = row.body?.(fixture);
  const abort = new AbortController();
  const headers: Record<string, string> =
    signer === null ? {} : signedHeaders(signer, { method, url: path });
  if (body !== undefined) headers["content-type"] = body.type;
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    redirect: "manual",
    signal: abort.signal,
    ...(body !== undefined && { body: body.bytes }),
  });
  try {
    if (response.headers.get("content-type")?.startsWith("text/event-stream")) return "ok";
    if (method === "HEAD") return headOutcome(response.status);
    const text = await response.text();
    // Our error shape, or under the FHIR base an OperationOutcome with the code in its coding.
    if (response.status >= 400) {
      const body = JSON.parse(text);
      return body.error?.code ?? body.issue?.[0]?.details?.coding?.[0]?.code;
    }
    if (row.lookup !== true) return "ok";
    return "receipt" in JSON.parse(text) ? "receipt" : "position";
  } finally {
    abort.abort();
  }
}

/** A HEAD answer has no body: its status stands for the outcome. */
function headOutcome(status: number): Outcome | string {
  if (status === 401) return "REQUEST_UNSIGNED";
  if (status === 403) return "FORBIDDEN";
  if (status === 404) return "NOT_FOUND";
  return status < 400 ? "ok" : `status ${status}`;
}

describe("who sees what: every route by every kind of caller", () => {
  const registered: string[] = [];
  let app: ApiServer;
  let base: string;
  let signers: Record<Who, Signer | null>;
  let fixture: Fixture;

  beforeAll(async () => {
    const node = memoryNode();
    signers = registerCallers(node);
    fixture = {
      patientTx: sampleTx(signers.patient as Signer),
      otherPatientTx: sampleTx(signers.otherPatient as Signer),
    };
    await node.submitTx(fixture.patientTx.bytes);
    await node.submitTx(fixture.otherPatientTx.bytes);
    node.commitBlock();
    node.routes.push(...SAMPLE_MODULE_ROUTES, ...claimsFhirSampleRoutes(node));
    app = await buildApiServer(node, {
      onRoute: (route) => {
        for (const method of [route.method].flat()) registered.push(`${method} ${route.url}`);
      },
    });
    base = await app.listen({ port: 0, host: "127.0.0.1" });
  });
  afterAll(() => app.close());

  it("has a row for every route the server registers, and no row for a route it does not", () => {
    const walked = new Set(ROWS.flatMap((row) => methodsOf(row).map((m) => twin(row.route, m))));
    expect([...new Set(registered)].filter((route) => !walked.has(route))).toEqual([]);
    expect(ROWS.map((row) => row.route).filter((route) => !registered.includes(route))).toEqual([]);
  });

  for (const row of ROWS) {
    for (const method of methodsOf(row)) {
      const route = twin(row.route, method);
      it(`${route}${row.case === undefined ? "" : ` (${row.case})`}`, async () => {
        const seen: Record<string, Outcome | string> = {};
        for (const who of EVERYONE) {
          seen[who] = await outcomeOf(base, signers[who], method, row, fixture);
        }
        const expected = method === "HEAD" ? headExpected(row.expected) : row.expected;
        expect(seen).toEqual(expected);
      });
    }
  }
});

/** The route's twin under another method: `GET /x` and `HEAD /x`. */
function twin(route: string, method: string): string {
  return `${method} ${route.slice(route.indexOf(" ") + 1)}`;
}

/** HEAD shows a status, no body: a receipt and a bare position both read as `ok`. */
function headExpected(expected: Expected): Expected {
  const mapped = Object.entries(expected).map(([who, outcome]) => [
    who,
    outcome === "receipt" || outcome === "position" ? "ok" : outcome,
  ]);
  return Object.fromEntries(mapped) as Expected;
}
