/** Shares and encoded sizes of a step's transactions, per type (the report's mix table). */

export interface TypeSizes {
  readonly count: number;
  /** This type's part of the step's transactions, 0 to 1 (3 decimals). */
  readonly share: number;
  readonly meanBytes: number;
  /** The lower median: the middle size, or the lower of the two middle ones. */
  readonly p50Bytes: number;
  readonly maxBytes: number;
}

/** Per type, in order of first appearance: count, share and mean/p50/max bytes. */
export function sizeStats(
  txs: ReadonlyArray<{ readonly type: string; readonly bytes: number }>,
): Record<string, TypeSizes> {
  const byType = new Map<string, number[]>();
  for (const tx of txs) {
    const sizes = byType.get(tx.type) ?? [];
    sizes.push(tx.bytes);
    byType.set(tx.type, sizes);
  }
  return Object.fromEntries(
    [...byType].map(([type, sizes]) => {
      sizes.sort((a, b) => a - b);
      const total = sizes.reduce((sum, size) => sum + size, 0);
      return [
        type,
        {
          count: sizes.length,
          share: Math.round((sizes.length / txs.length) * 1000) / 1000,
          meanBytes: Math.round(total / sizes.length),
          p50Bytes: sizes[Math.floor((sizes.length - 1) / 2)] as number,
          maxBytes: sizes[sizes.length - 1] as number,
        },
      ];
    }),
  );
}

/** The mean size over every type of a mix, weighted by count (etcd's value size). */
export function meanBytesOf(mix: Readonly<Record<string, TypeSizes>>): number {
  let count = 0;
  let bytes = 0;
  for (const entry of Object.values(mix)) {
    count += entry.count;
    bytes += entry.count * entry.meanBytes;
  }
  return count === 0 ? 0 : Math.round(bytes / count);
}
