/**
 * The shares of the healthcare mix and the order its types take in a step's schedule. Pure, so
 * the mix a run reports is the mix it sent.
 */

export const HEALTHCARE_TYPES = [
  "access.log",
  "consent.grant",
  "consent.revoke",
  "record.anchor",
  "claim.submit",
  "claim.pay",
  "pack.ship",
  "pack.receive",
] as const;

export type HealthcareType = (typeof HEALTHCARE_TYPES)[number];

/**
 * Weights of the default mix, in percent. Reads dominate a care network's traffic (every read of
 * a record is logged first), then new records and claims; consents change less often, and the
 * supply chain moves cases and packs in fewer, larger transactions. `readings.anchor` has no
 * share: no monitoring module exists.
 */
export const HEALTHCARE_WEIGHTS: Readonly<Record<HealthcareType, number>> = {
  "access.log": 30,
  "consent.grant": 10,
  "consent.revoke": 5,
  "record.anchor": 15,
  "claim.submit": 15,
  "claim.pay": 10,
  "pack.ship": 7.5,
  "pack.receive": 7.5,
};

/**
 * The type of each of `count` transactions: smooth weighted round robin (nginx's upstream
 * choice), so every prefix of the schedule holds each type close to its share and the warm-up
 * and the window see the same mix. Deterministic: no randomness in which type comes when.
 */
export function mixSchedule<T extends string>(
  count: number,
  weights: Readonly<Record<T, number>>,
): T[] {
  const entries = (Object.entries(weights) as Array<[T, number]>).filter(([, w]) => w > 0);
  if (entries.length === 0) throw new Error("a mix needs a type of positive weight");
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  const current = entries.map(() => 0);
  const order: T[] = [];
  for (let i = 0; i < count; i++) {
    let best = 0;
    for (let j = 0; j < entries.length; j++) {
      current[j] = (current[j] as number) + (entries[j] as [T, number])[1];
      if ((current[j] as number) > (current[best] as number)) best = j;
    }
    current[best] = (current[best] as number) - total;
    order.push((entries[best] as [T, number])[0]);
  }
  return order;
}

/** How many of each type a schedule holds. */
export function countsOf<T extends string>(order: readonly T[]): Map<T, number> {
  const counts = new Map<T, number>();
  for (const type of order) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}
