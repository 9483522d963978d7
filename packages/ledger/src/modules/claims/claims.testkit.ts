import {
  type Canonical,
  type ClaimItem,
  type ClaimView,
  type PlanTerms,
  type QueryCaller,
  type Receipt,
  type SignedTx,
  toHex,
} from "@careledger/protocol";
import { expect } from "vitest";
import { seededKey } from "../../testing/fixtures.js";
import { CareWorld, type Person } from "../consent/care.testkit.js";

/**
 * The claims tests' world: CareWorld's organizations and people (org-0 a hospital with its
 * clinician and staff, org-1 a clinic, org-2 the insurer with its agent), a plan of org-2 with
 * the terms of the worked example of NOTES.md 2.3 and a member enrolled in it. Members are keys
 * of their own, not registered: nothing joins them to the patient's consent key.
 */
export const DAY = 86_400_000;
export const PLAN = "gold";
export const INSURER = "org-2";
export const HOSPITAL = "org-0";

/** The worked example's plan: deductible $1,000, coinsurance 20%, out-of-pocket max $3,000. */
export const EXAMPLE_TERMS: PlanTerms = {
  deductible: 100_000,
  coinsuranceBp: 2_000,
  outOfPocketMax: 300_000,
  timelyFilingDays: 90,
  disputeWindowDays: 30,
  rules: [
    { code: "99213", allowedPerUnit: 12_000, copay: 2_500, copayOnly: true, preauth: false },
    { code: "70553", allowedPerUnit: 180_000, copayOnly: false, preauth: true },
    { code: "80053", allowedPerUnit: 1_500, copayOnly: false, preauth: false },
    { code: "97110", allowedPerUnit: 4_000, copayOnly: false, preauth: false },
    { code: "99223", allowedPerUnit: 1_200_000, copayOnly: false, preauth: false },
  ],
};

let ids = 0;
/** A fresh id no world hands out itself (32 hex digits): for unknown and chosen ids. */
export const freshId = () => `c1a1${(++ids).toString(16).padStart(28, "0")}`;

export const memberKey = (index: number) => seededKey("claims-member", index);

export const line = (code: string, unitPrice: number, quantity = 1): ClaimItem => ({
  code,
  quantity,
  unitPrice,
});

export class ClaimsWorld {
  /** The plan's period: from a year before genesis to a year after. */
  readonly period: { start: number; end: number };
  readonly member = memberKey(1);
  coverage = "";
  private ids = 0;

  private constructor(readonly w: CareWorld) {
    this.period = { start: w.time - 365 * DAY, end: w.time + 365 * DAY };
  }

  /** The world with the example plan registered and `member` enrolled from the plan's start. */
  static async create(label: string, terms: PlanTerms = EXAMPLE_TERMS): Promise<ClaimsWorld> {
    const world = new ClaimsWorld(await CareWorld.create(label));
    await world.ok(world.registerTx(PLAN, terms));
    world.coverage = await world.enroll(world.member);
    return world;
  }

  /** The world's next id: two worlds built alike hand out the same ids (the same transactions). */
  nextId(): string {
    return `c1a2${(++this.ids).toString(16).padStart(28, "0")}`;
  }

  get h() {
    return this.w.h;
  }

  get time(): number {
    return this.w.time;
  }

  get memberHex(): string {
    return toHex(this.member);
  }

  /** The member as a query caller: the key signs; it holds no registration. */
  memberCaller(key: Uint8Array = this.member): QueryCaller {
    return { key: toHex(key), identity: null, adminOf: [] };
  }

  registerTx(id: string, terms: PlanTerms, by: Person = "insurerAgent", insurer = INSURER) {
    const payload = { id, insurer, name: "Gold", currency: "USD", period: this.period, terms };
    return this.h.tx("plan.register", payload as unknown as Canonical, this.w.signer(by));
  }

  updateTx(effective: number, terms: PlanTerms, by: Person = "insurerAgent", insurer = INSURER) {
    const payload = { id: PLAN, insurer, effective, terms };
    return this.h.tx("plan.update", payload as unknown as Canonical, this.w.signer(by));
  }

  enrollTx(
    member: Uint8Array,
    period: { start: number; end?: number } = { start: this.period.start },
    id = this.nextId(),
    by: Person = "insurerAgent",
  ) {
    const payload = { id, insurer: INSURER, plan: PLAN, member, period };
    return this.h.tx("coverage.enroll", payload, this.w.signer(by));
  }

  async enroll(member: Uint8Array, period?: { start: number; end?: number }): Promise<string> {
    const tx = this.enrollTx(member, period);
    await this.ok(tx);
    return (tx.tx.payload as { id: string }).id;
  }

  endTx(end: number, coverage = this.coverage, by: Person = "insurerAgent") {
    return this.h.tx("coverage.end", { id: coverage, insurer: INSURER, end }, this.w.signer(by));
  }

  preauthTx(
    items: ClaimItem[],
    period = { start: this.time - DAY, end: this.time + 30 * DAY },
    options: { id?: string; by?: Person; provider?: string; member?: Uint8Array } = {},
  ) {
    const payload = {
      id: options.id ?? this.nextId(),
      provider: options.provider ?? HOSPITAL,
      coverage: this.coverage,
      member: options.member ?? this.member,
      period,
      items,
    };
    return this.h.tx(
      "claim.preauthorize",
      payload as unknown as Canonical,
      this.w.signer(options.by ?? "clinician"),
    );
  }

  submitTx(
    items: ClaimItem[],
    options: {
      id?: string;
      serviceDate?: number;
      preauthorization?: string;
      by?: Person;
      provider?: string;
      member?: Uint8Array;
      coverage?: string;
    } = {},
  ): SignedTx {
    const payload = {
      id: options.id ?? this.nextId(),
      provider: options.provider ?? HOSPITAL,
      coverage: options.coverage ?? this.coverage,
      member: options.member ?? this.member,
      type: "professional",
      serviceDate: options.serviceDate ?? this.time - DAY,
      items,
      diagnoses: [new Uint8Array(32).fill(7)],
      evidence: [],
      ...(options.preauthorization !== undefined && {
        preauthorization: options.preauthorization,
      }),
    };
    return this.h.tx(
      "claim.submit",
      payload as unknown as Canonical,
      this.w.signer(options.by ?? "clinician"),
    );
  }

  /** Submits a claim alone in a block; returns its id (the receipt must be ok). */
  async submit(items: ClaimItem[], options: Parameters<ClaimsWorld["submitTx"]>[1] = {}) {
    const tx = this.submitTx(items, options);
    await this.ok(tx);
    return (tx.tx.payload as { id: string }).id;
  }

  payTx(claim: string, amount: number, by: Person = "insurerAgent", insurer = INSURER) {
    const payload = { claim, insurer, amount, reference: new Uint8Array(32).fill(9) };
    return this.h.tx("claim.pay", payload, this.w.signer(by));
  }

  disputeTx(claim: string, by: Person = "clinician", provider = HOSPITAL) {
    const payload = {
      claim,
      provider,
      reason: "preauth-on-file",
      evidence: new Uint8Array(32).fill(4),
    };
    return this.h.tx("claim.dispute", payload, this.w.signer(by));
  }

  resolveTx(
    claim: string,
    outcome: "upheld" | "adjusted",
    lines: Array<{ sequence: number; benefit: number }> = [],
    by: Person = "insurerAgent",
  ) {
    const payload = { claim, insurer: INSURER, outcome, lines };
    return this.h.tx("claim.resolve", payload, this.w.signer(by));
  }

  voidTx(claim: string, by: Person = "clinician", provider = HOSPITAL) {
    return this.h.tx("claim.void", { claim, provider }, this.w.signer(by));
  }

  /** Commits a transaction alone in a block and returns its ok receipt. */
  async ok(tx: SignedTx): Promise<Receipt & { status: "ok" }> {
    const { receipt } = await this.h.single(tx);
    if (receipt.status !== "ok")
      throw new Error(`${tx.tx.type} failed: ${JSON.stringify(receipt)}`);
    return receipt;
  }

  /** Commits a transaction alone: it fails with `code` and changes no state. */
  async fails(tx: SignedTx, code: string): Promise<void> {
    const { receipt, stateChanged } = await this.h.single(tx);
    expect(receipt).toMatchObject({ status: "failed", code });
    expect(stateChanged).toBe(false);
  }

  async claim(id: string): Promise<ClaimView> {
    const view = await this.h.query("claim.get", { id });
    if (view === null) throw new Error(`no claim ${id}`);
    return view as unknown as ClaimView;
  }

  async accumulators(coverage = this.coverage) {
    return (await this.h.query("coverage.accumulators", { coverage })) as {
      deductibleMet: number;
      outOfPocketMet: number;
    };
  }

  close(): Promise<void> {
    return this.w.close();
  }
}
