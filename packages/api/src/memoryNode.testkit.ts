import {
  type Canonical,
  CareLedgerError,
  checkQueryAccess,
  decodeTx,
  encode,
  encodeReceipt,
  generateSecretKey,
  type Header,
  isClaimParty,
  isConsentParty,
  isCoverageParty,
  isMemberStaff,
  isOperator,
  isRecordParty,
  keySigner,
  type ModuleRoute,
  mayKnowKey,
  merkleProof,
  nobleVerifier,
  QUERIES,
  type QueryCaller,
  type SignedTx,
  type Signer,
  signTx,
  toHex,
} from "@careledger/protocol";
import type {
  CallerIdentity,
  NodeApi,
  NodeEvent,
  NodeStatus,
  StateKeyScope,
  TxLookup,
} from "./nodeApi.js";

export const CHAIN = new Uint8Array(32).fill(9);

/** The queries the ledger's modules serve: the protocol's query contract, by name. */
export const MEMORY_QUERY_NAMES = Object.keys(QUERIES) as (keyof typeof QUERIES)[];

/**
 * The consent and record this pretend chain holds: the `patient` caller's, a consent to the
 * organization "clinic" and a record held by "hospital"; the `delegate` caller acts for it.
 */
export const MEMORY_CONSENT_ID = "c".repeat(32);
export const MEMORY_RECORD_ID = "a".repeat(32);
/**
 * The coverage, claim and pre-authorization of this pretend chain: the `patient` caller's key is
 * the member (on a real chain it would use a key of its own), "insurer" the insurer, "hospital"
 * the provider.
 */
export const MEMORY_COVERAGE_ID = "e".repeat(32);
export const MEMORY_CLAIM_ID = "f".repeat(32);

/** Who the pretend patient and its delegate in force are (set by registerCallers). */
export interface PretendParties {
  patient: string | null;
  delegate: string | null;
}

/**
 * The `query` access rules of the consent, access and record queries, judged on this pretend
 * chain's one consent and record as the ledger judges them on state (protocol's
 * isConsentParty / isRecordParty; a delegate reads what its patient reads).
 */
function pretendAdmits(
  name: string,
  params: Readonly<Record<string, string>>,
  caller: QueryCaller,
  parties: PretendParties,
): boolean {
  const { patient } = parties;
  if (patient === null) return false;
  const isDelegate = caller.key === parties.delegate;
  switch (name) {
    case "consent.get":
      return (
        params.id === MEMORY_CONSENT_ID &&
        isConsentParty(caller, { patient, grantee: { org: "clinic" } }, isDelegate)
      );
    case "record.get":
      return (
        params.id === MEMORY_RECORD_ID &&
        isRecordParty(caller, { patient, custodian: "hospital" }, isDelegate)
      );
    case "consent.decision":
      return pretendDecisionAdmits(params, caller, parties);
    case "coverage.get":
    case "coverage.accumulators":
      return (
        (params.id ?? params.coverage) === MEMORY_COVERAGE_ID &&
        isCoverageParty(caller, { member: patient, insurer: "insurer" })
      );
    case "claim.get":
    case "claim.preauthorization":
      return (
        params.id === MEMORY_CLAIM_ID &&
        isClaimParty(caller, { member: patient, provider: "hospital", insurer: "insurer" })
      );
    // Provenance (ledger provenance/queries.ts): no pack, case or product here, so regulators
    // alone pass the `query` rule; the events list any member's people, filtered to their own.
    case "pack.get":
    case "case.get":
      return caller.identity?.roles.includes("regulator") === true;
    case "lot.packs":
      return false;
    case "provenance.events":
      return isMemberStaff(caller);
    default:
      // consent.ofPatient, access.history, record.ofPatient: "a delegate of the patient".
      return params.patient === patient && isDelegate;
  }
}

/**
 * `consent.decision` as the ledger judges it (ledger consent/queries.ts), whichever contract rule
 * admitted the caller: first on the caller alone (the accessor itself, an operator, or the patient
 * named, else the record's, or its delegate); then, beside a record, a caller who may not read
 * that record (its parties, operators) is refused when the record is unknown or it names a
 * patient or class, even a right one, so its guesses tell it nothing.
 */
function pretendDecisionAdmits(
  params: Readonly<Record<string, string>>,
  caller: QueryCaller,
  parties: PretendParties,
): boolean {
  const { patient } = parties;
  const isDelegate = caller.key === parties.delegate;
  const known = params.record === MEMORY_RECORD_ID;
  const target = params.patient ?? (known ? patient : undefined);
  const operator = isOperator(caller);
  const speaksFor = caller.key === target || (target === patient && isDelegate);
  if (!operator && caller.key !== params.accessor && !speaksFor) return false;
  if (params.record === undefined || operator) return true;
  const mayKnow =
    known &&
    patient !== null &&
    isRecordParty(caller, { patient, custodian: "hospital" }, isDelegate);
  return mayKnow || (known && params.patient === undefined && params.class === undefined);
}

/**
 * State key scopes of this pretend chain: `public/` keys as a module would publish them,
 * `consent/` keys as a scoped module's, the rest (identity and the like) for operators.
 */
function memoryStateKeyScope(key: string): StateKeyScope {
  if (key.startsWith("public/")) return "public";
  if (key.startsWith("consent/")) return "queries-only";
  return "operators";
}

/**
 * A NodeApi over an in-memory list of admitted transactions: enough to drive every route and
 * error path of the HTTP layer in-process. The real node is exercised in test/ cluster tests.
 */
export interface MemoryNode extends NodeApi {
  admitted: SignedTx[];
  /** Module routes this pretend node serves; set before building the server. */
  routes: ModuleRoute[];
  /** Keys registered on this pretend chain, for signed reads. */
  callers: Map<string, CallerIdentity>;
  /** The patient of the pretend consent and record, and its delegate. */
  parties: PretendParties;
  /** Commits every admitted transaction in one new block and tells subscribers. */
  commitBlock(): void;
  setSyncing(syncing: boolean): void;
  setHalted(halted: boolean): void;
}

export function memoryNode(): MemoryNode {
  const admitted: SignedTx[] = [];
  const routes: ModuleRoute[] = [];
  const callers = new Map<string, CallerIdentity>();
  const parties: PretendParties = { patient: null, delegate: null };
  const bodies = new Map<number, SignedTx[]>();
  const blocks: NodeEvent[][] = [[]];
  const listeners = new Set<(event: NodeEvent) => void>();
  let status: NodeStatus = {
    chainId: CHAIN,
    nodeKey: new Uint8Array(32).fill(1),
    height: 0,
    headHash: new Uint8Array(32),
    stateRoot: new Uint8Array(32),
    view: 0,
    primary: new Uint8Array(32).fill(1),
    validators: [new Uint8Array(32).fill(1)],
    peers: 0,
    syncing: false,
    halted: false,
  };
  return {
    admitted,
    routes,
    moduleRoutes: () => routes,
    callers,
    parties,
    setSyncing(syncing) {
      status = { ...status, syncing };
    },
    setHalted(halted) {
      status = { ...status, halted };
    },
    commitBlock() {
      const height = blocks.length;
      const events: NodeEvent[] = [
        {
          type: "block",
          height,
          hash: new Uint8Array(32).fill(height),
          time: height,
          txCount: admitted.length,
        },
        ...admitted.map(
          (signed, index): NodeEvent => ({
            type: "tx",
            height,
            index,
            id: signed.id,
            txType: signed.tx.type,
            from: signed.tx.from,
            receipt: { ok: true },
          }),
        ),
      ];
      bodies.set(height, [...admitted]);
      admitted.length = 0;
      blocks.push(events);
      status = { ...status, height };
      for (const event of events) for (const listener of listeners) listener(event);
    },
    eventsOfBlock: async (height) => blocks[height] ?? [],
    proveState: async (key) => ({
      height: status.height,
      value: key === "present" ? encode("value") : null,
      proof: { siblings: [new Uint8Array(32).fill(7)], leaf: null },
    }),
    txProof: async (id) => {
      for (const [height, events] of blocks.entries()) {
        const ids = events.flatMap((event) => (event.type === "tx" ? [event.id] : []));
        const index = ids.findIndex((each) => toHex(each) === toHex(id));
        if (index >= 0) return { height, proof: merkleProof(ids, index) };
      }
      return null;
    },
    receiptProof: async (id) => {
      for (const [height, events] of blocks.entries()) {
        const ids = events.flatMap((event) => (event.type === "tx" ? [event.id] : []));
        const index = ids.findIndex((each) => toHex(each) === toHex(id));
        if (index < 0) continue;
        const leaves = ids.map((tx) => encodeReceipt({ tx, status: "ok" }));
        return { height, receipt: leaves[index] as Uint8Array, proof: merkleProof(leaves, index) };
      }
      return null;
    },
    stateKeyScope: memoryStateKeyScope,
    queryNames: () => MEMORY_QUERY_NAMES,
    query: async (name, params, caller): Promise<Canonical> => {
      if (!(MEMORY_QUERY_NAMES as readonly string[]).includes(name)) {
        throw new CareLedgerError("NOT_FOUND", `no query ${name}`);
      }
      const contract = QUERIES[name as keyof typeof QUERIES];
      if (name !== "identity.key") {
        const rule = caller === null ? null : checkQueryAccess(contract, caller, params);
        // consent.decision judges more than its contract's rules say (B1): always pretend it.
        const judged = rule?.rule === "query" || name === "consent.decision";
        if (caller !== null && judged && !pretendAdmits(name, params, caller, parties)) {
          throw new CareLedgerError("FORBIDDEN", `query ${name}: not a party`);
        }
        return { query: name };
      }
      // Its `query` access rule, judged on this pretend chain's keys as the ledger judges it.
      const key = params.key ?? "";
      if (caller !== null && !mayKnowKey(caller, key, callers.get(key) ?? null)) {
        throw new CareLedgerError(
          "FORBIDDEN",
          "only the key, operators and its organization's staff",
        );
      }
      return { key, big: 2n ** 60n, raw: Uint8Array.of(1, 2) };
    },
    identityOf: async (keyHex) => callers.get(keyHex) ?? null,
    verifier: nobleVerifier,
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    status: () => status,
    blockAt: async (height) => {
      const txs = bodies.get(height);
      if (txs === undefined) return null;
      const header: Header = {
        v: 1,
        chain: CHAIN,
        height,
        prevHash: new Uint8Array(32),
        time: height,
        proposer: new Uint8Array(32).fill(1),
        view: 0,
        txRoot: new Uint8Array(32),
        stateRoot: new Uint8Array(32),
        receiptsRoot: new Uint8Array(32),
        validatorsHash: new Uint8Array(32),
        nextValidatorsHash: new Uint8Array(32),
      };
      return { hash: new Uint8Array(32).fill(height), block: { header, txs }, certificate: null };
    },
    submitTx: async (bytes) => {
      const signed = decodeTx(bytes);
      if (admitted.some((tx) => toHex(tx.id) === toHex(signed.id))) {
        throw new CareLedgerError("TX_DUPLICATE");
      }
      admitted.push(signed);
      return signed.id;
    },
    txById: async (id): Promise<TxLookup> => {
      if (admitted.some((tx) => toHex(tx.id) === toHex(id))) return { status: "pending" };
      for (const events of blocks) {
        for (const event of events) {
          if (event.type !== "tx" || toHex(event.id) !== toHex(id)) continue;
          const { height, index, receipt } = event;
          return { status: "committed", height, index, receipt };
        }
      }
      return { status: "unknown" };
    },
    metrics: async () => "careledger_height 0\n",
  };
}

/** An identity.register transaction, sent by `sender` (a fresh key unless given). */
export function sampleTx(sender: Signer = keySigner(generateSecretKey())): SignedTx {
  return signTx(
    {
      v: 1,
      chain: CHAIN,
      type: "identity.register",
      nonce: new Uint8Array(8).fill(3),
      expires: 100,
      payload: { key: new Uint8Array(32) },
    },
    sender,
  );
}

const registeredAt = (org: string, role: string): CallerIdentity => ({
  identity: { org, roles: [role] },
  adminOf: [],
});

/**
 * Every kind of caller the read policy tells apart (api README "Who sees what"): `staff` is the
 * business role (front desk), `operator` the node and back-office operator, `admin` an admin of
 * the hospital with no registration of its own.
 */
export const CALLER_IDENTITIES = {
  none: null,
  patient: registeredAt("hospital", "patient"),
  otherPatient: registeredAt("hospital", "patient"),
  device: registeredAt("hospital", "device"),
  custodianClinician: registeredAt("hospital", "clinician"),
  otherClinician: registeredAt("clinic", "clinician"),
  insurerAgent: registeredAt("insurer", "insurer-agent"),
  regulator: registeredAt("regulator", "regulator"),
  staff: registeredAt("hospital", "staff"),
  operator: registeredAt("clinic", "operator"),
  admin: { identity: null, adminOf: ["hospital"] },
  /** A guardian (itself a patient key) whom `patient` named its delegate. */
  delegate: registeredAt("hospital", "patient"),
} satisfies Record<string, CallerIdentity | null>;
export type CallerKind = keyof typeof CALLER_IDENTITIES;
export const CALLER_KINDS = Object.keys(CALLER_IDENTITIES) as CallerKind[];

/** A fresh key for every kind of caller, registered on `node` (null for the anonymous one). */
export function registerCallers(node: MemoryNode): Record<CallerKind, Signer | null> {
  const signers = {} as Record<CallerKind, Signer | null>;
  for (const kind of CALLER_KINDS) {
    const identity = CALLER_IDENTITIES[kind];
    const signer = identity === null ? null : keySigner(generateSecretKey());
    if (signer !== null && identity !== null) node.callers.set(toHex(signer.publicKey), identity);
    signers[kind] = signer;
  }
  node.parties.patient = signers.patient === null ? null : toHex(signers.patient.publicKey);
  node.parties.delegate = signers.delegate === null ? null : toHex(signers.delegate.publicKey);
  return signers;
}

/** A fresh key registered on `node` with `roles` at `org` (an identity, not an admin). */
export function registerKey(node: MemoryNode, roles: readonly string[], org = "org-0"): Signer {
  const signer = keySigner(generateSecretKey());
  node.callers.set(toHex(signer.publicKey), { identity: { org, roles }, adminOf: [] });
  return signer;
}
