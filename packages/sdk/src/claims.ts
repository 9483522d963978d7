import {
  type ClaimItem,
  type ClaimResolvePayload,
  type ClaimResponseView,
  ClaimResponseViewSchema,
  type ClaimSubmitPayload,
  type DisputeReason,
  fromHex,
  HASH_BYTES,
  jsonSchemaOf,
  type PlanRegisterPayload,
  type PlanTerms,
  type PreauthorizationView,
  PreauthorizationViewSchema,
  type QueryResultJson,
  toHex,
} from "@careledger/protocol";
import { Type } from "@sinclair/typebox";
import { Caller, type CommitOptions, type KeyInput, keyBytes, keyHex, randomId } from "./caller.js";
import type { CareLedgerClient } from "./client.js";
import { answerChecker } from "./json.js";
import { allItems, type Page, type PageOptions } from "./paging.js";
import type { CommittedTx } from "./wait.js";

export type PlanViewJson = NonNullable<QueryResultJson<"plan.get">>;
export type CoverageViewJson = NonNullable<QueryResultJson<"coverage.get">>;
export type AccumulatorsJson = NonNullable<QueryResultJson<"coverage.accumulators">>;
export type ClaimViewJson = NonNullable<QueryResultJson<"claim.get">>;

/** A 32-byte hash as bytes or 64 hex digits (diagnosis and evidence commitments, references). */
export type HashInput = Uint8Array | string;

/** A hash as bytes, checked to be 32 (ENCODING_INVALID otherwise). */
function hashBytes(hash: HashInput): Uint8Array {
  return fromHex(typeof hash === "string" ? hash : toHex(hash), HASH_BYTES);
}

const claimResponseCheck = answerChecker(
  jsonSchemaOf(ClaimResponseViewSchema),
  "claim.submit result",
);
const PreauthDecisionSchema = Type.Pick(PreauthorizationViewSchema, [
  "decision",
  "approved",
  "reason",
]);
/** The plan's decision on a pre-authorization: the `claim.preauthorize` receipt's result. */
export type PreauthDecision = Pick<PreauthorizationView, "decision" | "approved" | "reason">;
const preauthDecisionCheck = answerChecker(
  jsonSchemaOf(PreauthDecisionSchema),
  "claim.preauthorize result",
);

/** The ClaimResponse in a `claim.submit` receipt, checked against the contract's schema. */
export function claimResponseOf(result: unknown): ClaimResponseView {
  return claimResponseCheck(result) as ClaimResponseView;
}

/**
 * Plans as an insurer's agent (or admin) registers and versions them, and as any member
 * organization's people read them. Writes resolve after a successful commit.
 */
export class Plans {
  private readonly caller: Caller;

  constructor(client: CareLedgerClient) {
    this.caller = new Caller(client);
  }

  /** Version 1 of a plan (`plan.register`). */
  register(plan: PlanRegisterPayload, options: CommitOptions = {}): Promise<CommittedTx> {
    return this.caller.commit("plan.register", plan, options);
  }

  /** The next version of a plan's terms, for services from `effective` on (`plan.update`). */
  update(
    update: {
      readonly id: string;
      readonly insurer: string;
      readonly effective: number;
      readonly terms: PlanTerms;
    },
    options: CommitOptions = {},
  ): Promise<CommittedTx> {
    return this.caller.commit("plan.update", { ...update }, options);
  }

  /** A plan with every version of its terms, or null. */
  get(id: string): Promise<QueryResultJson<"plan.get">> {
    return this.caller.client.query("plan.get", { id });
  }
}

export interface EnrollInput {
  /** 32 hex digits; a fresh random 128-bit id when absent. */
  readonly id?: string;
  readonly insurer: string;
  readonly plan: string;
  /** The member's key for this coverage (not the patient's consent key). */
  readonly member: KeyInput;
  readonly period: { readonly start: number; readonly end?: number };
}

/**
 * Coverages: an insurer enrols and ends them; the member and the insurer's people read a
 * coverage and what the member has met of its deductible and out-of-pocket maximum.
 */
export class Coverages {
  private readonly caller: Caller;

  constructor(client: CareLedgerClient) {
    this.caller = new Caller(client);
  }

  /** Enrols a member key in a plan (`coverage.enroll`); resolves with the coverage id. */
  async enroll(input: EnrollInput, options: CommitOptions = {}): Promise<string> {
    const id = input.id ?? randomId();
    const { start, end } = input.period;
    await this.caller.commit(
      "coverage.enroll",
      {
        id,
        insurer: input.insurer,
        plan: input.plan,
        member: keyBytes(input.member),
        period: { start, ...(end !== undefined && { end }) },
      },
      options,
    );
    return id;
  }

  /** Ends a coverage at `end` (`coverage.end`). */
  end(
    input: { readonly id: string; readonly insurer: string; readonly end: number },
    options: CommitOptions = {},
  ): Promise<CommittedTx> {
    return this.caller.commit("coverage.end", { ...input }, options);
  }

  /** One coverage, or null. */
  get(id: string): Promise<QueryResultJson<"coverage.get">> {
    return this.caller.client.query("coverage.get", { id });
  }

  /** A page of a member key's coverages (the caller's own by default). */
  ofMember(
    member: KeyInput = this.caller.key,
    page: PageOptions = {},
  ): Promise<Page<CoverageViewJson>> {
    return this.caller.client.query("coverage.ofMember", { member: keyHex(member), ...page });
  }

  /** Every coverage of a member key, page after page. */
  ofMemberAll(
    member: KeyInput = this.caller.key,
    options: PageOptions = {},
  ): AsyncGenerator<CoverageViewJson> {
    return allItems((page) => this.ofMember(member, page), options);
  }

  /** What the member has met of the coverage's plan period, or null for no such coverage. */
  accumulators(coverage: string): Promise<QueryResultJson<"coverage.accumulators">> {
    return this.caller.client.query("coverage.accumulators", { coverage });
  }
}

/** A claim or pre-authorization as a provider's clinician or staff sends it. */
interface ClaimCommon {
  /** 32 hex digits; a fresh random 128-bit id when absent. */
  readonly id?: string;
  readonly provider: string;
  readonly coverage: string;
  readonly member: KeyInput;
  readonly items: readonly ClaimItem[];
}

export interface PreauthorizeInput extends ClaimCommon {
  readonly period: { readonly start: number; readonly end: number };
}

export interface SubmitInput extends ClaimCommon {
  readonly type: ClaimSubmitPayload["type"];
  readonly serviceDate: number;
  /** Salted hash commitments the provider opens to the insurer off chain. */
  readonly diagnoses?: readonly HashInput[];
  readonly evidence?: readonly HashInput[];
  /** The id of an earlier pre-authorization of this provider, coverage and member. */
  readonly preauthorization?: string;
}

/** A committed `claim.submit`: the claim's id and its adjudication, from the receipt. */
export interface SubmittedClaim {
  readonly id: string;
  readonly tx: string;
  readonly height: number;
  readonly response: ClaimResponseView;
}

/**
 * Claims as their parties use them: a provider pre-authorizes, submits (adjudicated at commit:
 * the receipt carries the ClaimResponse), disputes and voids; an insurer pays and resolves; the
 * member, the provider and the insurer read a claim and their lists.
 */
export class Claims {
  private readonly caller: Caller;

  constructor(client: CareLedgerClient) {
    this.caller = new Caller(client);
  }

  /** Asks for a pre-authorization; resolves with its id and the plan's decision. */
  async preauthorize(
    input: PreauthorizeInput,
    options: CommitOptions = {},
  ): Promise<{ readonly id: string; readonly decision: PreauthDecision }> {
    const id = input.id ?? randomId();
    const committed = await this.caller.commit(
      "claim.preauthorize",
      {
        id,
        provider: input.provider,
        coverage: input.coverage,
        member: keyBytes(input.member),
        period: { start: input.period.start, end: input.period.end },
        items: input.items.map((item) => ({ ...item })),
      },
      options,
    );
    return { id, decision: preauthDecisionCheck(committed.receipt.result) as PreauthDecision };
  }

  /**
   * Submits a claim and resolves, once it committed, with the ClaimResponse the validators
   * adjudicated (from the receipt, checked against the contract's schema): `complete` with the
   * decision, lines and totals, or `error` with why it could not be adjudicated.
   */
  async submit(input: SubmitInput, options: CommitOptions = {}): Promise<SubmittedClaim> {
    const id = input.id ?? randomId();
    const committed = await this.caller.commit(
      "claim.submit",
      {
        id,
        provider: input.provider,
        coverage: input.coverage,
        member: keyBytes(input.member),
        type: input.type,
        serviceDate: input.serviceDate,
        items: input.items.map((item) => ({ ...item })),
        diagnoses: (input.diagnoses ?? []).map(hashBytes),
        evidence: (input.evidence ?? []).map(hashBytes),
        ...(input.preauthorization !== undefined && { preauthorization: input.preauthorization }),
      },
      options,
    );
    const response = claimResponseOf(committed.receipt.result);
    return { id, tx: committed.id, height: committed.height, response };
  }

  /** Records a payment of at most what the claim has payable and unpaid (`claim.pay`). */
  async pay(
    input: {
      readonly claim: string;
      readonly insurer: string;
      readonly amount: number;
      readonly reference: HashInput;
    },
    options: CommitOptions = {},
  ): Promise<CommittedTx> {
    return this.caller.commit(
      "claim.pay",
      { ...input, reference: hashBytes(input.reference) },
      options,
    );
  }

  /** The provider disputes an adjudication within the plan's dispute window (`claim.dispute`). */
  async dispute(
    input: {
      readonly claim: string;
      readonly provider: string;
      readonly reason: DisputeReason;
      readonly evidence: HashInput;
    },
    options: CommitOptions = {},
  ): Promise<CommittedTx> {
    return this.caller.commit(
      "claim.dispute",
      { ...input, evidence: hashBytes(input.evidence) },
      options,
    );
  }

  /** The insurer upholds the adjudication, or adjusts the benefit of the lines it names. */
  resolve(
    input: {
      readonly claim: string;
      readonly insurer: string;
      readonly outcome: ClaimResolvePayload["outcome"];
      readonly lines?: ClaimResolvePayload["lines"];
    },
    options: CommitOptions = {},
  ): Promise<CommittedTx> {
    const lines = (input.lines ?? []).map((line) => ({ ...line }));
    return this.caller.commit(
      "claim.resolve",
      { claim: input.claim, insurer: input.insurer, outcome: input.outcome, lines },
      options,
    );
  }

  /** The provider voids a claim before any payment (`claim.void`). */
  void(
    input: { readonly claim: string; readonly provider: string },
    options: CommitOptions = {},
  ): Promise<CommittedTx> {
    return this.caller.commit("claim.void", { ...input }, options);
  }

  /** A claim with its ClaimResponse, payments and status history, or null. */
  get(id: string): Promise<QueryResultJson<"claim.get">> {
    return this.caller.client.query("claim.get", { id });
  }

  /** A pre-authorization and its decision, or null. */
  preauthorization(id: string): Promise<QueryResultJson<"claim.preauthorization">> {
    return this.caller.client.query("claim.preauthorization", { id });
  }

  /** A page of a member key's claims (the caller's own by default). */
  ofMember(
    member: KeyInput = this.caller.key,
    page: PageOptions = {},
  ): Promise<Page<ClaimViewJson>> {
    return this.caller.client.query("claim.ofMember", { member: keyHex(member), ...page });
  }

  /** Every claim of a member key, page after page. */
  ofMemberAll(
    member: KeyInput = this.caller.key,
    options: PageOptions = {},
  ): AsyncGenerator<ClaimViewJson> {
    return allItems((page) => this.ofMember(member, page), options);
  }

  /** A page of an insurer's claims with something payable and unpaid, or a dispute open. */
  openOfInsurer(insurer: string, page: PageOptions = {}): Promise<Page<ClaimViewJson>> {
    return this.caller.client.query("claim.openOfInsurer", { insurer, ...page });
  }

  /** A page of a provider's claims with something payable and unpaid. */
  receivables(provider: string, page: PageOptions = {}): Promise<Page<ClaimViewJson>> {
    return this.caller.client.query("claim.receivables", { provider, ...page });
  }
}
