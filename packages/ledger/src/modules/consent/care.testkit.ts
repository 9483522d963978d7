import {
  type AccessResult,
  type Canonical,
  type QueryCaller,
  type Receipt,
  type Signer,
  toHex,
} from "@careledger/protocol";
import { castCaller, registerCast } from "../../testing/cast.js";
import { seededKey, testChain } from "../../testing/fixtures.js";
import { Harness } from "../../testing/harness.js";
import { nodeSigner } from "../../testing/nodeCrypto.js";

/**
 * A small care world for the consent, access and record tests: org-0 a hospital (the
 * custodian), org-1 a clinic, org-2 an insurer, org-3 a hospital, and one key of each kind the
 * rules tell apart, registered in block 1.
 */
export const KINDS = ["hospital", "clinic", "insurer", "hospital"] as const;

const key = (index: number) => nodeSigner(seededKey("care-world", index));

export const PEOPLE = {
  patient: { signer: key(1), org: 0, roles: ["patient"] },
  otherPatient: { signer: key(2), org: 0, roles: ["patient"] },
  guardian: { signer: key(3), org: 0, roles: ["patient"] },
  clinician: { signer: key(4), org: 0, roles: ["clinician"] },
  pharmacist: { signer: key(5), org: 0, roles: ["pharmacist"] },
  staff: { signer: key(6), org: 0, roles: ["staff"] },
  clinicClinician: { signer: key(7), org: 1, roles: ["clinician"] },
  insurerAgent: { signer: key(8), org: 2, roles: ["insurer-agent"] },
  insurerClinician: { signer: key(9), org: 2, roles: ["clinician"] },
  regulator: { signer: key(10), org: 3, roles: ["regulator"] },
  otherClinician: { signer: key(11), org: 3, roles: ["clinician"] },
} as const;
export type Person = keyof typeof PEOPLE;

export const RECORD = "0123456789abcdef0123456789abcdef";
export const RECORD_2 = "fedcba9876543210fedcba9876543210";
export const hash = (fill: number) => new Uint8Array(32).fill(fill);
/** A record's version-1 hash in this world: its id twice (each hash backs one record only). */
export const anchorHash = (id: string) => Buffer.from(id + id, "hex");

let idCounter = 0;
/** A fresh consent id (32 hex digits). */
export const consentId = () => (++idCounter).toString(16).padStart(32, "0");

export class CareWorld {
  private constructor(readonly h: Harness) {}

  static async create(label: string): Promise<CareWorld> {
    const h = await Harness.create(label, testChain(4, 10, 4, KINDS));
    const world = new CareWorld(h);
    await registerCast(h, PEOPLE);
    return world;
  }

  signer(who: Person): Signer {
    return PEOPLE[who].signer;
  }

  key(who: Person): Uint8Array {
    return PEOPLE[who].signer.publicKey;
  }

  hex(who: Person): string {
    return toHex(PEOPLE[who].signer.publicKey);
  }

  /** The verified caller a signed request of `who` makes. */
  caller(who: Person): QueryCaller {
    return castCaller(PEOPLE[who]);
  }

  /** An admin of org `index`, as a caller (an operator). */
  admin(index: number): QueryCaller {
    const key = toHex(this.h.org(index).admin.publicKey);
    return { key, identity: null, adminOf: [`org-${index}`] };
  }

  get time(): number {
    return this.h.ledger.head.time;
  }

  anchorTx(
    id = RECORD,
    recordClass = "lab",
    patient: Person = "patient",
    by: Person = "clinician",
    contentHash: Uint8Array = anchorHash(id),
  ) {
    return this.h.tx(
      "record.anchor",
      { id, patient: this.key(patient), class: recordClass, custodian: "org-0", hash: contentHash },
      this.signer(by),
    );
  }

  async anchor(id = RECORD, recordClass = "lab", patient: Person = "patient"): Promise<void> {
    const { receipt } = await this.h.single(this.anchorTx(id, recordClass, patient));
    if (receipt.status !== "ok") throw new Error(`anchor failed: ${JSON.stringify(receipt)}`);
  }

  /** A grant by `by` (the patient unless said) with defaults: access for TREAT, from now on. */
  grantTx(terms: Record<string, unknown>, by: Person = "patient") {
    const payload = {
      id: consentId(),
      patient: this.key("patient"),
      grantee: { key: this.key("clinician") },
      actions: ["access"],
      purposes: ["TREAT"],
      period: { start: this.time },
      ...terms,
    };
    return this.h.tx("consent.grant", payload as Canonical, this.signer(by));
  }

  /** Commits a grant and returns its id (fails the test if it failed). */
  async grant(terms: Record<string, unknown>, by: Person = "patient"): Promise<string> {
    const tx = this.grantTx(terms, by);
    const { receipt } = await this.h.single(tx);
    if (receipt.status !== "ok") throw new Error(`grant failed: ${JSON.stringify(receipt)}`);
    return (tx.tx.payload as { id: string }).id;
  }

  revokeTx(id: string, by: Person = "patient", patient: Person = "patient") {
    return this.h.tx("consent.revoke", { id, patient: this.key(patient) }, this.signer(by));
  }

  delegateTx(period: { start: number; end?: number }, delegate: Person = "guardian") {
    return this.h.tx(
      "consent.delegate",
      { patient: this.key("patient"), delegate: this.key(delegate), period },
      this.signer("patient"),
    );
  }

  accessTx(who: Person, purpose = "TREAT", action = "access", record = RECORD, version?: number) {
    const payload = { record, purpose, action, ...(version !== undefined && { version }) };
    return this.h.tx("access.log", payload, this.signer(who));
  }

  /** Logs an access alone in a block and returns its receipt. */
  async access(who: Person, purpose = "TREAT", action = "access", record = RECORD) {
    return (await this.h.single(this.accessTx(who, purpose, action, record))).receipt;
  }

  /** The decision an ok access.log receipt holds. */
  static result(receipt: Receipt): AccessResult {
    if (receipt.status !== "ok") throw new Error(`access failed: ${JSON.stringify(receipt)}`);
    return receipt.result as AccessResult;
  }

  async decision(who: Person, purpose = "TREAT", action = "access", record = RECORD) {
    return CareWorld.result(await this.access(who, purpose, action, record));
  }

  close(): Promise<void> {
    return this.h.close();
  }
}
