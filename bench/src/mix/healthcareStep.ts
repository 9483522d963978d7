/** A step of the healthcare mix: its schedule of types, then its transactions, signed. */
import { TX_TTL_MAX } from "@careledger/protocol";
import { currentHeight, type LoadContext } from "../careLedgerLoad.js";
import type { Router } from "../loadgen.js";
import type { MixEntry, StepPlan } from "../messages.js";
import { countFor } from "../openLoop.js";
import type { PreparedTx } from "../txMix.js";
import { sizeStats } from "./sizes.js";
import { type Pools, stage } from "./stage.js";
import { EXPIRY_MARGIN } from "./submitAll.js";
import { accessTx, anchorTx, claimTx, grantTx, payTx, receiveTx, revokeTx, shipTx } from "./txs.js";
import { countsOf, HEALTHCARE_WEIGHTS, type HealthcareType, mixSchedule } from "./weights.js";
import { pick, randomId, type World } from "./world.js";

export function healthcareSchedule(count: number): HealthcareType[] {
  return mixSchedule(count, HEALTHCARE_WEIGHTS);
}

function take<T>(pool: T[], type: string): T {
  const item = pool.pop();
  if (item === undefined) throw new Error(`the staging left no ${type} for the step`);
  return item;
}

/** Signs the step's transactions in schedule order, drawing on the staged pools. */
export function presignHealthcare(
  world: World,
  pools: Pools,
  order: readonly HealthcareType[],
  expires: number,
): PreparedTx[] {
  // One builder per type: a type added to the mix without one does not compile.
  const builders: Record<HealthcareType, () => PreparedTx> = {
    "access.log": () => accessTx(world, expires),
    "consent.grant": () => grantTx(world, pick(world.patients), randomId(), expires),
    "consent.revoke": () => {
      const { patient, id } = take(pools.revocable, "consent.revoke");
      return revokeTx(world, patient, id, expires);
    },
    "record.anchor": () =>
      anchorTx(world, pick(world.patients), randomId(), pick(world.clinicians), expires),
    "claim.submit": () => claimTx(world, randomId(), expires),
    "claim.pay": () => payTx(world, take(pools.payable, "claim.pay"), expires),
    "pack.ship": () => shipTx(world, take(pools.toShip, "pack.ship"), expires),
    "pack.receive": () => receiveTx(world, take(pools.toReceive, "pack.receive"), expires),
  };
  return order.map((type) => builders[type]());
}

/**
 * A step of the healthcare mix made ready: its schedule, the staging it needs (untimed,
 * waited for), then every transaction signed before the clock starts.
 */
export async function prepareHealthcareStep(
  world: World,
  context: LoadContext,
  router: Router,
  plan: StepPlan,
  progress: (text: string) => void,
): Promise<{ txs: PreparedTx[]; mix: Record<string, MixEntry>; presignMs: number }> {
  const order = healthcareSchedule(countFor(plan.rate, (plan.warmupMs + plan.windowMs) / 1000));
  const stagedAt = performance.now();
  const pools = await stage(world, context, router, countsOf(order));
  progress(
    `staged the step's consents, claims and consignments in ${Math.round(performance.now() - stagedAt)} ms`,
  );
  const signedAt = performance.now();
  // Expiry counts from now: admission takes it up to TX_TTL_MAX heights ahead of each node.
  const expires = (await currentHeight(context.urls[0] as string)) + TX_TTL_MAX - EXPIRY_MARGIN;
  const txs = presignHealthcare(world, pools, order, expires);
  return { txs, mix: sizeStats(txs), presignMs: Math.round(performance.now() - signedAt) };
}
