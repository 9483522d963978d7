import {
  type Canonical,
  CareLedgerError,
  type ClaimSubmitPayload,
  type ClaimView,
  type CoverageEnrollPayload,
  type LineAdjudicationView,
  type PlanRegisterPayload,
  type PlanView,
  type PreauthorizationView,
  type SignedTx,
  toHex,
} from "@careledger/protocol";
import type { FakeCareRoutes, QueryParamsIn } from "./fakeCareRoutes.testkit.js";

/**
 * The claims module in miniature, on a FakeNode with FakeCareRoutes: plans, coverages,
 * pre-authorizations and claims, with receipts carrying the ClaimResponse and views typed by
 * the contract. The adjudication is a sketch (allowed amount, copay, deductible, coinsurance
 * rounded half up, no out-of-pocket cap, no plan versions); the real one is the ledger's,
 * tested there against NOTES.md 2.3.
 */

type Stamp = ClaimView["submitted"];
const DAY_MS = 86_400_000;

interface Met {
  deductibleMet: number;
  outOfPocketMet: number;
}

export class FakeClaims {
  readonly plans = new Map<string, PlanView>();
  readonly coverages = new Map<string, CoverageEnrollPayload>();
  readonly preauths = new Map<string, PreauthorizationView>();
  readonly claims = new Map<string, ClaimView>();
  private readonly met = new Map<string, Met>();

  constructor(readonly routes: FakeCareRoutes) {
    routes.node.modules.push((signed, height) => this.execute(signed, height));
    routes.answers.push((name, params) => this.answer(name, params));
  }

  private execute(signed: SignedTx, height: number): { result?: Canonical } | undefined {
    const payload = signed.tx.payload as unknown;
    const stamp: Stamp = { height, time: height * 1_000, by: toHex(signed.tx.from) };
    switch (signed.tx.type) {
      case "plan.register": {
        const plan = payload as PlanRegisterPayload;
        const { terms, ...rest } = plan;
        const version = { version: 1, effective: plan.period.start, terms, registered: stamp };
        this.plans.set(plan.id, { ...rest, versions: [version] });
        return {};
      }
      case "coverage.enroll": {
        const coverage = payload as CoverageEnrollPayload;
        if (!this.plans.has(coverage.plan)) throw new CareLedgerError("PLAN_NOT_FOUND");
        this.coverages.set(coverage.id, coverage);
        this.met.set(coverage.id, { deductibleMet: 0, outOfPocketMet: 0 });
        return {};
      }
      case "claim.preauthorize": {
        const request = payload as Omit<ClaimSubmitPayload, "type" | "serviceDate"> & {
          period: { start: number; end: number };
        };
        const rules = this.rulesOf(request.coverage);
        const approved = request.items
          .map((item) => item.code)
          .filter((code) => rules.some((rule) => rule.code === code));
        const decision = approved.length === request.items.length ? "approved" : "denied";
        const decided = { decision, approved } as const;
        this.preauths.set(request.id, {
          ...request,
          member: toHex(request.member),
          insurer: this.planOf(request.coverage).insurer,
          items: [...request.items],
          ...decided,
          approved: [...approved],
          requested: stamp,
        });
        return { result: { decision, approved: [...approved] } };
      }
      case "claim.submit":
        return { result: this.submit(payload as ClaimSubmitPayload, stamp) as Canonical };
      case "claim.pay": {
        const {
          claim: id,
          amount,
          reference,
        } = payload as {
          claim: string;
          amount: number;
          reference: Uint8Array;
        };
        const claim = this.claimOf(id);
        if (amount > claim.payable - claim.paid) throw new CareLedgerError("CLAIM_NOT_PAYABLE");
        const paid = claim.paid + amount;
        const status = paid === claim.payable ? "paid" : "partially-paid";
        const entry = { status, at: stamp, amount, reference: toHex(reference) } as const;
        this.claims.set(id, { ...claim, paid, status, history: [...claim.history, entry] });
        return { result: { paid, unpaid: claim.payable - paid, status } };
      }
      case "claim.dispute": {
        const {
          claim: id,
          reason,
          evidence,
        } = payload as {
          claim: string;
          reason: ClaimView["history"][number]["reason"] & string;
          evidence: Uint8Array;
        };
        const claim = this.claimOf(id);
        if (stamp.time > claim.disputeUntil) throw new CareLedgerError("CLAIM_NOT_DISPUTABLE");
        const entry = {
          status: "disputed",
          at: stamp,
          reason,
          reference: toHex(evidence),
        } as const;
        this.claims.set(id, { ...claim, status: "disputed", history: [...claim.history, entry] });
        return {};
      }
      case "claim.resolve": {
        const {
          claim: id,
          outcome,
          lines,
        } = payload as {
          claim: string;
          outcome: "upheld" | "adjusted";
          lines: { sequence: number; benefit: number }[];
        };
        const claim = this.claimOf(id);
        if (claim.status !== "disputed") throw new CareLedgerError("CLAIM_NO_DISPUTE");
        const raise = lines.reduce((sum, line) => {
          const before = this.linesOf(claim)[line.sequence - 1]?.benefit ?? 0;
          return sum + line.benefit - before;
        }, 0);
        const payable = claim.payable + raise;
        const status = claim.paid >= payable ? "paid" : "adjudicated";
        const entry = { status, at: stamp, amount: payable, resolution: outcome } as const;
        this.claims.set(id, { ...claim, payable, status, history: [...claim.history, entry] });
        return {};
      }
      case "claim.void": {
        const claim = this.claimOf((payload as { claim: string }).claim);
        if (claim.paid > 0) throw new CareLedgerError("CLAIM_NOT_VOIDABLE");
        const entry = { status: "voided", at: stamp } as const;
        this.claims.set(claim.id, {
          ...claim,
          status: "voided",
          payable: 0,
          history: [...claim.history, entry],
        });
        return {};
      }
      default:
        return undefined;
    }
  }

  private submit(claim: ClaimSubmitPayload, stamp: Stamp): ClaimView["response"] {
    const plan = this.planOf(claim.coverage);
    const terms = plan.versions[0]?.terms;
    const met = this.met.get(claim.coverage) as Met;
    if (terms === undefined) throw new CareLedgerError("PLAN_NOT_FOUND");
    const lines: LineAdjudicationView[] = claim.items.map((item, index) => {
      const submitted = item.quantity * item.unitPrice;
      const rule = terms.rules.find((one) => one.code === item.code);
      const zero = { copay: 0, deductible: 0, coinsurance: 0, memberShare: 0, benefit: 0 };
      if (rule === undefined) {
        const line = { sequence: index + 1, submitted, eligible: 0, ...zero };
        return { ...line, noncovered: submitted, reason: "ar001" };
      }
      const eligible = Math.min(submitted, rule.allowedPerUnit * item.quantity);
      const copay = Math.min(eligible, rule.copay ?? 0);
      const deductible = rule.copayOnly
        ? 0
        : Math.min(eligible - copay, terms.deductible - met.deductibleMet);
      const rest = eligible - copay - deductible;
      // Half up to the minor unit.
      const coinsurance = rule.copayOnly
        ? 0
        : Math.floor((rest * terms.coinsuranceBp + 5_000) / 10_000);
      const memberShare = copay + deductible + coinsurance;
      met.deductibleMet += deductible;
      met.outOfPocketMet += memberShare;
      const benefit = eligible - memberShare;
      return {
        sequence: index + 1,
        submitted,
        eligible,
        copay,
        deductible,
        coinsurance,
        memberShare,
        benefit,
        noncovered: submitted - eligible,
      };
    });
    const sum = (field: keyof Omit<LineAdjudicationView, "sequence" | "reason">) =>
      lines.reduce((total, line) => total + line[field], 0);
    const totals = {
      submitted: sum("submitted"),
      eligible: sum("eligible"),
      copay: sum("copay"),
      deductible: sum("deductible"),
      coinsurance: sum("coinsurance"),
      memberShare: sum("memberShare"),
      benefit: sum("benefit"),
      noncovered: sum("noncovered"),
    };
    const denied = lines.filter((line) => line.reason !== undefined).length;
    const decision =
      denied === 0 ? "approved" : denied === lines.length ? "denied" : ("partial" as const);
    const response = {
      outcome: "complete",
      decision,
      plan: plan.id,
      planVersion: 1,
      currency: plan.currency,
      lines,
      totals,
      accumulators: { ...met },
    } as const;
    const { member, diagnoses, evidence, ...rest } = claim;
    this.claims.set(claim.id, {
      ...rest,
      member: toHex(member),
      insurer: plan.insurer,
      items: [...claim.items],
      diagnoses: diagnoses.map(toHex),
      evidence: evidence.map(toHex),
      response,
      status: "adjudicated",
      payable: totals.benefit,
      paid: 0,
      recoverable: 0,
      disputeUntil: stamp.time + terms.disputeWindowDays * DAY_MS,
      submitted: stamp,
      history: [{ status: "adjudicated", at: stamp }],
    });
    return response;
  }

  private linesOf(claim: ClaimView): readonly LineAdjudicationView[] {
    return claim.response.outcome === "complete" ? claim.response.lines : [];
  }

  private planOf(coverage: string): PlanView {
    const enrolled = this.coverages.get(coverage);
    if (enrolled === undefined) throw new CareLedgerError("COVERAGE_NOT_FOUND");
    return this.plans.get(enrolled.plan) as PlanView;
  }

  private rulesOf(coverage: string) {
    return this.planOf(coverage).versions[0]?.terms.rules ?? [];
  }

  private claimOf(id: string): ClaimView {
    const claim = this.claims.get(id);
    if (claim === undefined) throw new CareLedgerError("CLAIM_NOT_FOUND");
    return claim;
  }

  private answer(name: string, params: QueryParamsIn): unknown {
    const limit = typeof params.limit === "number" ? params.limit : 100;
    const offset = typeof params.cursor === "string" ? Number(params.cursor.slice(1)) : 0;
    const page = <T>(items: readonly T[]) => ({
      items: items.slice(offset, offset + limit),
      next: offset + limit < items.length ? `p${offset + limit}` : null,
    });
    switch (name) {
      case "plan.get":
        return this.plans.get(String(params.id)) ?? null;
      case "coverage.get": {
        const coverage = this.coverages.get(String(params.id));
        if (coverage === undefined) return null;
        const insurer = coverage.insurer;
        const stamp = { height: 1, time: 1_000, by: "0".repeat(64) };
        return { ...coverage, insurer, member: toHex(coverage.member), enrolled: stamp };
      }
      case "coverage.accumulators": {
        const id = String(params.coverage);
        const met = this.met.get(id);
        if (met === undefined) return null;
        const plan = this.planOf(id);
        const terms = plan.versions[0]?.terms;
        return {
          coverage: id,
          plan: plan.id,
          period: plan.period,
          currency: plan.currency,
          deductible: terms?.deductible ?? 0,
          outOfPocketMax: terms?.outOfPocketMax ?? 0,
          ...met,
        };
      }
      case "claim.get":
        return this.claims.get(String(params.id)) ?? null;
      case "claim.preauthorization":
        return this.preauths.get(String(params.id)) ?? null;
      case "claim.ofMember":
        return page([...this.claims.values()].filter((claim) => claim.member === params.member));
      case "claim.openOfInsurer":
        return page(
          [...this.claims.values()].filter(
            (claim) =>
              claim.insurer === params.insurer &&
              (claim.status === "disputed" || claim.payable > claim.paid),
          ),
        );
      default:
        return undefined;
    }
  }
}
