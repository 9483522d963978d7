import {
  type AccessEntry,
  type AccessResult,
  type Canonical,
  CareLedgerError,
  type ConsentAction,
  type ConsentGrantPayload,
  type ConsentView,
  type PurposeCode,
  purposeCovers,
  type RecordAnchorPayload,
  type RecordView,
  type SignedTx,
  toHex,
} from "@careledger/protocol";
import type { FakeNode } from "./fakeNode.testkit.js";

/**
 * The consent, access and records modules in miniature, on a FakeNode: enough state and rules
 * for the SDK's helpers to meet real answers (receipts with an AccessResult, views typed by the
 * contract, the custodian's routes in fakeCareRoutes.testkit.ts). The decision here is a sketch
 * (own record, a grantee by key or organization, actions, purposes by is-a, classes, deny
 * classes, break the glass by a clinician); periods are not judged. The real one is the
 * ledger's, tested there.
 */

type Stamp = ConsentView["granted"];

export interface FakeIdentity {
  readonly org: string;
  readonly roles: readonly string[];
}

const CLINICAL = new Set(["clinician", "pharmacist"]);

export class FakeCare {
  readonly identities = new Map<string, FakeIdentity>();
  /** Organization admins by organization (the fake node does not check senders otherwise). */
  readonly admins = new Map<string, Set<string>>();
  readonly consents = new Map<string, ConsentView>();
  readonly records = new Map<string, RecordView>();
  /** Committed accesses by access.log id; `history` lists them newest first. */
  readonly accesses = new Map<string, AccessEntry>();
  /** Delegates by patient (consent.delegate, until consent.undelegate). */
  readonly delegates = new Map<string, Set<string>>();
  /** Forgotten records the custodian has erased but not yet reported: reported on a later poll. */
  readonly erasing = new Set<string>();

  constructor(
    readonly node: FakeNode,
    /** The organization this node is the custodian for. */
    readonly custodian: string,
  ) {
    node.modules.push((signed, height) => this.execute(signed, height));
  }

  /** A key registered at `org` with `roles`, as identity.register would leave it. */
  register(key: Uint8Array, org: string, roles: readonly string[]): void {
    this.identities.set(toHex(key), { org, roles });
  }

  history(patient: string): AccessEntry[] {
    return [...this.accesses.values()].filter((entry) => entry.patient === patient).reverse();
  }

  private execute(signed: SignedTx, height: number): { result?: Canonical } | undefined {
    const from = toHex(signed.tx.from);
    const payload = signed.tx.payload as unknown;
    const stamp = { height, time: height * 1_000, by: from };
    switch (signed.tx.type) {
      case "identity.register": {
        const { key, org, roles } = payload as { key: Uint8Array; org: string; roles: string[] };
        this.register(key, org, roles);
        return undefined;
      }
      case "consent.grant":
        this.grant(payload as ConsentGrantPayload, from, stamp);
        return {};
      case "consent.revoke": {
        const { id, patient } = payload as { id: string; patient: Uint8Array };
        this.mustBe(from, toHex(patient));
        const consent = this.consents.get(id);
        if (consent === undefined) throw new CareLedgerError("CONSENT_NOT_FOUND", id);
        this.consents.set(id, { ...consent, status: "inactive", revoked: stamp });
        return {};
      }
      case "consent.delegate":
      case "consent.undelegate": {
        const { patient, delegate } = payload as { patient: Uint8Array; delegate: Uint8Array };
        const named = this.delegates.get(toHex(patient)) ?? new Set<string>();
        if (signed.tx.type === "consent.delegate") named.add(toHex(delegate));
        else named.delete(toHex(delegate));
        this.delegates.set(toHex(patient), named);
        return {};
      }
      case "record.anchor":
        this.anchor(payload as RecordAnchorPayload, from, stamp);
        return {};
      case "record.amend":
        this.amend(payload as { id: string; previous: number; hash: Uint8Array }, stamp);
        return {};
      case "record.forget": {
        const { id, patient } = payload as { id: string; patient: Uint8Array };
        this.mustBe(from, toHex(patient));
        const record = this.recordOf(id);
        this.records.set(id, { ...record, status: "forgetting", forgetRequested: stamp });
        this.erasing.add(id);
        return {};
      }
      case "access.log":
        return { result: this.log(signed, from, height) as unknown as Canonical };
      case "access.review": {
        const review = payload as { org: string; access: Uint8Array; justified: boolean };
        if (!this.admins.get(review.org)?.has(from)) throw new CareLedgerError("UNAUTHORIZED");
        const entry = this.accesses.get(toHex(review.access));
        if (entry === undefined || !entry.breakGlass) throw new CareLedgerError("NOT_FOUND");
        this.accesses.set(toHex(review.access), {
          ...entry,
          review: { justified: review.justified, ...stamp },
        });
        return {};
      }
      default:
        return undefined;
    }
  }

  private mustBe(from: string, patient: string): void {
    if (from !== patient) throw new CareLedgerError("UNAUTHORIZED", "not the patient");
  }

  private grant(grant: ConsentGrantPayload, from: string, stamp: Stamp) {
    this.mustBe(from, toHex(grant.patient));
    if (this.consents.has(grant.id)) throw new CareLedgerError("ALREADY_EXISTS", grant.id);
    const grantee = "key" in grant.grantee ? { key: toHex(grant.grantee.key) } : grant.grantee;
    this.consents.set(grant.id, {
      ...grant,
      patient: toHex(grant.patient),
      grantee,
      status: "active",
      expired: false,
      granted: stamp,
    });
  }

  private anchor(anchor: RecordAnchorPayload, from: string, stamp: Stamp) {
    const who = this.identities.get(from);
    if (who?.org !== anchor.custodian) throw new CareLedgerError("UNAUTHORIZED");
    if (this.records.has(anchor.id)) throw new CareLedgerError("ALREADY_EXISTS", anchor.id);
    this.records.set(anchor.id, {
      id: anchor.id,
      patient: toHex(anchor.patient),
      class: anchor.class,
      custodian: anchor.custodian,
      status: "active",
      versions: [{ version: 1, hash: toHex(anchor.hash), anchored: stamp }],
    });
  }

  private amend(amend: { id: string; previous: number; hash: Uint8Array }, stamp: Stamp) {
    const record = this.recordOf(amend.id);
    const latest = record.versions.length;
    if (amend.previous !== latest) throw new CareLedgerError("RECORD_VERSION_CONFLICT");
    const version = { version: latest + 1, hash: toHex(amend.hash), anchored: stamp };
    this.records.set(amend.id, { ...record, versions: [...record.versions, version] });
  }

  recordOf(id: string): RecordView {
    const record = this.records.get(id);
    if (record === undefined) throw new CareLedgerError("RECORD_NOT_FOUND", id);
    return record;
  }

  private log(signed: SignedTx, accessor: string, height: number): AccessResult {
    const request = signed.tx.payload as unknown as {
      record: string;
      version?: number;
      purpose: PurposeCode;
      action: ConsentAction;
    };
    const record = this.recordOf(request.record);
    if (record.status !== "active") throw new CareLedgerError("RECORD_FORGOTTEN");
    const version = request.version ?? record.versions.length;
    if (version > record.versions.length) throw new CareLedgerError("RECORD_NOT_FOUND");
    const who = this.identities.get(accessor);
    const result: AccessResult = {
      ...this.decide(accessor, who, record, request.purpose, request.action),
      accessor,
      accessorOrg: who?.org ?? null,
      patient: record.patient,
      record: record.id,
      version,
      class: record.class,
      custodian: record.custodian,
      action: request.action,
      purpose: request.purpose,
    };
    const access = toHex(signed.id);
    this.accesses.set(access, { ...result, access, height, time: height * 1_000 });
    return result;
  }

  /** The sketch of a decision for `accessor` on a record of `record.patient` and `record.class`. */
  decide(
    accessor: string,
    who: FakeIdentity | undefined,
    record: Pick<RecordView, "patient" | "class">,
    purpose: PurposeCode,
    action: ConsentAction,
  ): Pick<AccessResult, "decision" | "reason" | "consent" | "breakGlass"> {
    if (accessor === record.patient) {
      return { decision: "permit", reason: "own-record", consent: null, breakGlass: false };
    }
    for (const consent of this.consents.values()) {
      const grantee = consent.grantee;
      const forAccessor =
        "key" in grantee
          ? grantee.key === accessor
          : who?.org === grantee.org && who.roles.some((role) => CLINICAL.has(role));
      const covers =
        consent.status === "active" &&
        consent.patient === record.patient &&
        forAccessor &&
        consent.actions.includes(action) &&
        consent.purposes.some((granted) => purposeCovers(granted, purpose)) &&
        (consent.classes === undefined || consent.classes.includes(record.class));
      if (!covers) continue;
      const denied = consent.deny?.some((deny) => deny.classes?.includes(record.class));
      return denied
        ? { decision: "deny", reason: "exception", consent: consent.id, breakGlass: false }
        : { decision: "permit", reason: "consent", consent: consent.id, breakGlass: false };
    }
    if (purposeCovers("ETREAT", purpose) && who?.roles.includes("clinician")) {
      return { decision: "permit", reason: "break-glass", consent: null, breakGlass: true };
    }
    return { decision: "deny", reason: "no-consent", consent: null, breakGlass: false };
  }
}
