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

  logSize(now: number, node: string, size: number, bound: number): void {
    if (size > bound) this.fail(now, `${node} log holds ${size} entries, bound ${bound}`);
  }

  get decidedHeights(): number {
    return this.decided.size;
  }
}
