/**
 * An amount in minor units (the chain's integers) in its currency, with the currency's own
 * number of minor digits as Intl knows it (ISO 4217: 2 for USD, 0 for JPY).
 */
export function formatMoney(minor: number, currency: string): string {
  const format = new Intl.NumberFormat("en", { style: "currency", currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minor / 10 ** digits);
}

/** A chain time (ms) as a calendar day, UTC: service dates and dispute windows are days. */
export function formatDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
