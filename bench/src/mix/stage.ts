/**
 * Each step's staging, untimed and on the step's own cluster: what the step's revokes, payments,
 * shipments and receipts act on must have committed before the clock starts, or they would race
 * the transactions that create it. Everything is new (fresh ids, serials and SSCCs), so staging
 * never depends on an earlier step's cluster.
 */
import { PACK_SERIALS_MAX, type Signer } from "@careledger/protocol";
import type { LoadContext } from "../careLedgerLoad.js";
import type { Router } from "../loadgen.js";
import type { PreparedTx } from "../txMix.js";
import { packLimits, SMALL_TXS, submitAll } from "./submitAll.js";
import { type Consignment, casePackTx, claimTx, commissionTx, grantTx, shipTx } from "./txs.js";
import type { HealthcareType } from "./weights.js";
import { nextSerials, nextSscc, pick, randomId, type World } from "./world.js";

/** Packs in a case the mix ships, and loose packs in a shipment without one. */
export const CASE_PACKS = 50;
export const LOOSE_PACKS = 10;

export interface Pools {
  readonly revocable: Array<{ readonly patient: Signer; readonly id: string }>;
  readonly payable: string[];
  /** At the manufacturer, for the step's pack.ship. */
  readonly toShip: Consignment[];
  /** In transit to the distributor, for the step's pack.receive. */
  readonly toReceive: Consignment[];
}

/** Consignments alternate: a case, then loose packs. */
function consignments(
  world: World,
  count: number,
): {
  consignments: Consignment[];
  cases: Array<{ sscc: string; serials: string[] }>;
  serials: string[];
} {
  const all: Consignment[] = [];
  const cases: Array<{ sscc: string; serials: string[] }> = [];
  const serials: string[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 2 === 0) {
      const packed = { sscc: nextSscc(world), serials: nextSerials(world, CASE_PACKS) };
      cases.push(packed);
      serials.push(...packed.serials);
      all.push({ kind: "case", sscc: packed.sscc });
    } else {
      const loose = nextSerials(world, LOOSE_PACKS);
      serials.push(...loose);
      all.push({ kind: "packs", serials: loose });
    }
  }
  return { consignments: all, cases, serials };
}

const chunks = <T>(list: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(list.length / size) }, (_, i) =>
    list.slice(i * size, (i + 1) * size),
  );

/** Stages what a step of these type counts needs, in four waited phases. */
export async function stage(
  world: World,
  context: LoadContext,
  router: Router,
  counts: ReadonlyMap<HealthcareType, number>,
): Promise<Pools> {
  const revocable = Array.from({ length: counts.get("consent.revoke") ?? 0 }, () => ({
    patient: pick(world.patients),
    id: randomId(),
  }));
  const payable = Array.from({ length: counts.get("claim.pay") ?? 0 }, () => randomId());
  const ship = consignments(world, counts.get("pack.ship") ?? 0);
  const receive = consignments(world, counts.get("pack.receive") ?? 0);
  const commissions = chunks([...ship.serials, ...receive.serials], PACK_SERIALS_MAX);
  type Build = (expires: number) => PreparedTx;
  const run = (builds: readonly Build[], limits = SMALL_TXS) =>
    submitAll(context, router, builds.length, (i, e) => (builds[i] as Build)(e), limits);
  await run([
    ...revocable.map(
      ({ patient, id }) =>
        (e: number) =>
          grantTx(world, patient, id, e),
    ),
    ...payable.map((id) => (e: number) => claimTx(world, id, e)),
  ]);
  await run(
    commissions.map((serials) => (e: number) => commissionTx(world, serials, e)),
    packLimits(PACK_SERIALS_MAX),
  );
  const cases = [...ship.cases, ...receive.cases];
  await run(
    cases.map(
      ({ sscc, serials }) =>
        (e: number) =>
          casePackTx(world, sscc, serials, e),
    ),
    packLimits(CASE_PACKS),
  );
  await run(
    receive.consignments.map((consignment) => (e: number) => shipTx(world, consignment, e)),
    packLimits(CASE_PACKS),
  );
  return { revocable, payable, toShip: ship.consignments, toReceive: receive.consignments };
}
