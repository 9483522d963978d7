import {
  type Block,
  type CommitCertificate,
  type ConsensusParams,
  toHex,
  type ValidatorSet,
  type Verifier,
  verifyCertificate,
} from "@careledger/protocol";
import { hashOfHeader } from "../blockHashCache.js";
import { bodyBytes } from "../bodyBudget.js";
import type { NewViewPlan } from "../newView.js";
import type { ViewChangeMessage } from "../types.js";
import { ValidatorSchedule } from "../validatorSet.js";

/**
 * The properties checked on every step of a run. A violation is recorded with the virtual time
 * and never hidden: the run fails and its seed replays it.
 */
export class Invariants {
  readonly violations: string[] = [];
  /** The hash every honest replica committed at each height (the first one seen). */
  private readonly decided = new Map<number, string>();
  /** The validator sets the chain decided, for checking certificates independently. */
  readonly truth: ValidatorSchedule;
  private readonly chainId: Uint8Array;
  private readonly verifier: Verifier;
  private readonly params: ConsensusParams;
  /** `replica:view` -> the plan of the new view it installed (kept across its restarts). */
  private readonly plans = new Map<string, NewViewPlan>();
  /** `replica:kind:height:view` -> the hash it voted for (kept across its restarts). */
  private readonly votes = new Map<string, string>();

  constructor(
    chainId: Uint8Array,
    verifier: Verifier,
    genesis: ValidatorSet,
    params: ConsensusParams,
  ) {
    this.chainId = chainId;
    this.verifier = verifier;
    this.params = params;
    this.truth = new ValidatorSchedule(genesis);
  }

  fail(now: number, what: string): void {
    if (this.violations.length < 20) this.violations.push(`t=${now}ms ${what}`);
  }

  /** Agreement, linkage (the application refused an unlinked block) and a valid certificate. */
  committed(
    now: number,
    node: string,
    block: Block,
    certificate: CommitCertificate,
    refusal?: string,
  ): void {
    const height = block.header.height;
    const hash = hashOfHeader(block.header);
    const hex = toHex(hash);
    if (refusal !== undefined) this.fail(now, `${node} committed h${height} that ${refusal}`);
    // Honest replicas judged it at or before `now` against clockSkewMaxMs; clocks only advance.
    if (block.header.time - now > this.params.clockSkewMaxMs) {
      this.fail(now, `TIME: ${node} committed h${height} ${block.header.time - now} ms ahead`);
    }
    const known = this.decided.get(height);
    if (known === undefined) this.decided.set(height, hex);
    else if (known !== hex) {
      this.fail(
        now,
        `AGREEMENT: ${node} committed ${hex.slice(0, 12)} at h${height}, others ${known.slice(0, 12)}`,
      );
    }
    if (certificate.height !== height) this.fail(now, `${node} certificate for another height`);
    try {
      verifyCertificate(certificate, hash, this.truth.setAt(height), this.chainId, this.verifier);
    } catch (error) {
      this.fail(now, `${node} certificate at h${height}: ${(error as Error).message}`);
    }
  }

  /** The chain decided a validator-set change at `decidedAt` (recorded once per height). */
  validatorsDecided(decidedAt: number, validators: ValidatorSet, seen: Set<number>): void {
    if (seen.has(decidedAt)) return;
    seen.add(decidedAt);
    this.truth.schedule(decidedAt, validators, this.params);
  }

  /** A replica installed the new view of `view` whose plan is `plan`. */
  installed(node: string, view: number, plan: NewViewPlan): void {
    if (!this.plans.has(`${node}:${view}`)) this.plans.set(`${node}:${view}`, plan);
  }

  /**
   * A replica prepares, in a view whose new view it installed, only what that new view allows:
   * the re-proposed block at a height of the run, a fresh block of this view above it. Also
   * after restarts: the plan binds it until it leaves the view.
   */
  prepared(now: number, node: string, view: number, block: Block): void {
    const plan = this.plans.get(`${node}:${view}`);
    if (plan === undefined) return;
    const height = block.header.height;
    const runEnd = plan.baseHeight + plan.run.length;
    const hex = toHex(hashOfHeader(block.header));
    const rerun = plan.run.find((entry) => entry.height === height);
    const fits =
      height > runEnd
        ? block.header.view === view
        : rerun !== undefined && toHex(rerun.hash) === hex;
    if (!fits) {
      this.fail(
        now,
        `PLAN: ${node} prepared ${hex.slice(0, 12)} at h${height} in view ${view}, ` +
          `which its new view re-proposes as ${rerun === undefined ? "nothing" : toHex(rerun.hash).slice(0, 12)} (run to h${runEnd})`,
      );
    }
  }

  /** An honest replica never signs two different votes for one (kind, height, view). */
  voted(now: number, node: string, kind: string, height: number, view: number, hash: Uint8Array) {
    const key = `${node}:${kind}:${height}:${view}`;
    const hex = toHex(hash);
    const previous = this.votes.get(key);
    if (previous === undefined) this.votes.set(key, hex);
    else if (previous !== hex) {
      this.fail(now, `DOUBLE VOTE: ${node} sent ${kind} for two hashes at h${height} v${view}`);
    }
  }

  /**
   * An honest view change fits its frame: its bodies stay within the body budget (issue 11 item
   * 8; the rest of it is bounded by VIEW_CHANGE_PROOFS_BYTES_MAX, tested in bodyBudget.test.ts).
   */
  viewChangeBytes(now: number, node: string, change: ViewChangeMessage, budget: number): void {
    const bytes = change.blocks.reduce((sum, block) => sum + bodyBytes(block), 0);
    if (bytes > budget) {
      this.fail(
        now,
        `BYTES: ${node} sent a view change with ${bytes} body bytes, budget ${budget}`,
      );
    }
  }

  logSize(now: number, node: string, size: number, bound: number): void {
    if (size > bound) this.fail(now, `${node} log holds ${size} entries, bound ${bound}`);
  }

  get decidedHeights(): number {
    return this.decided.size;
  }
}
