import { type Canonical, PACK_SERIALS_MAX, type RecallView, TX_TYPES } from "@careledger/protocol";
import { orgKey } from "../identity/state.js";
import { defineTxType, reject } from "../module.js";
import {
  asCanonical,
  caseKey,
  checkGroups,
  isRegulator,
  packKeys,
  productKey,
  readCase,
  readRecall,
  recallKey,
  requirePack,
  requireProduct,
  type StoredPack,
  serialsOf,
  stamp,
  suspectKey,
  union,
  writeCase,
  writePack,
} from "./state.js";

/**
 * `lot.recall`, by the product's manufacturer or a regulator (organization kind): from this
 * block no pack of the lot ships or is dispensed. A recall stays in force (none is lifted).
 */
export const lotRecall = defineTxType(TX_TYPES["lot.recall"], {
  reads: (payload) => [
    productKey(payload.gtin),
    orgKey(payload.org),
    recallKey(payload.gtin, payload.lot),
  ],
  async execute(ctx, payload) {
    const product = await requireProduct(ctx.state, payload.gtin);
    if (product.manufacturer !== payload.org && !(await isRegulator(ctx.state, payload.org))) {
      reject("UNAUTHORIZED", `only ${product.manufacturer} or a regulator recalls its lots`);
    }
    if ((await readRecall(ctx.state, payload.gtin, payload.lot)) !== null) {
      reject("ALREADY_EXISTS", `lot ${payload.lot} of ${payload.gtin} is recalled`);
    }
    const recall: RecallView = {
      gtin: payload.gtin,
      lot: payload.lot,
      by: payload.org,
      reason: payload.reason,
      class: payload.class,
      at: stamp(ctx),
    };
    ctx.state.put(recallKey(payload.gtin, payload.lot), asCanonical(recall));
  },
});

/** Every pack named, read; and the case each is in, whose suspect count follows its packs'. */
async function namedPacks(
  state: Parameters<typeof requirePack>[0],
  groups: Parameters<typeof serialsOf>[0],
): Promise<StoredPack[]> {
  const packs: StoredPack[] = [];
  for (const [gtin, serial] of serialsOf(groups))
    packs.push(await requirePack(state, gtin, serial));
  return packs;
}

/** Adds `delta` to the suspect count of each case the packs are in. */
async function countSuspects(
  state: Parameters<typeof writeCase>[0],
  packs: readonly StoredPack[],
  delta: number,
): Promise<void> {
  const perCase = new Map<string, number>();
  for (const pack of packs) {
    if (pack.case !== undefined) perCase.set(pack.case, (perCase.get(pack.case) ?? 0) + delta);
  }
  for (const [sscc, change] of perCase) {
    const stored = await readCase(state, sscc);
    if (stored !== null) writeCase(state, { ...stored, suspects: stored.suspects + change });
  }
}

/** The holders of a pack, with its case's while it is in one. */
async function holdersOf(
  state: Parameters<typeof readCase>[0],
  pack: StoredPack,
): Promise<readonly string[]> {
  if (pack.case === undefined) return pack.holders;
  const stored = await readCase(state, pack.case);
  return union(pack.holders, stored?.holders ?? []);
}

/** The keys of the cases the named packs lie in, once the packs are read: their holders count too. */
function casesOfPacks(
  packs: Parameters<typeof packKeys>[0],
  known: (key: string) => Canonical | null | undefined,
): string[] {
  const cases = new Set<string>();
  for (const key of packKeys(packs)) {
    const pack = known(key) as StoredPack | null | undefined;
    if (pack?.case !== undefined) cases.add(caseKey(pack.case));
  }
  return [...cases];
}

/**
 * `pack.suspect`, by a regulator or a trading partner (an organization that held the packs):
 * until cleared they move only to a regulator or back to their manufacturer, and are not
 * dispensed. A pack already suspect fails PACK_SUSPECT.
 */
export const packSuspect = defineTxType(TX_TYPES["pack.suspect"], {
  reads: (payload) => [orgKey(payload.org), ...packKeys(payload.packs)],
  readsAfter: (payload, _sender, known) => casesOfPacks(payload.packs, known),
  async execute(ctx, payload) {
    checkGroups(payload.packs, PACK_SERIALS_MAX);
    const regulator = await isRegulator(ctx.state, payload.org);
    const packs = await namedPacks(ctx.state, payload.packs);
    for (const pack of packs) {
      const id = `pack ${pack.gtin} ${pack.serial}`;
      if (!regulator && !(await holdersOf(ctx.state, pack)).includes(payload.org)) {
        reject("NOT_A_TRADING_PARTNER", `${payload.org} never held ${id}`);
      }
      if (pack.suspect !== undefined) reject("PACK_SUSPECT", `${id} is suspect already`);
    }
    const suspicion = { reason: payload.reason, by: payload.org, at: stamp(ctx) };
    for (const pack of packs) {
      writePack(ctx.state, { ...pack, suspect: suspicion });
      ctx.state.put(suspectKey(pack.gtin, pack.serial), 1);
    }
    await countSuspects(ctx.state, packs, 1);
  },
});

/** `pack.clear`, by a regulator or the organization that raised the suspicion. */
export const packClear = defineTxType(TX_TYPES["pack.clear"], {
  reads: (payload) => [orgKey(payload.org), ...packKeys(payload.packs)],
  readsAfter: (payload, _sender, known) => casesOfPacks(payload.packs, known),
  async execute(ctx, payload) {
    checkGroups(payload.packs, PACK_SERIALS_MAX);
    const regulator = await isRegulator(ctx.state, payload.org);
    const packs = await namedPacks(ctx.state, payload.packs);
    for (const pack of packs) {
      const id = `pack ${pack.gtin} ${pack.serial}`;
      if (pack.suspect === undefined) reject("PACK_NOT_SUSPECT", `${id} is not suspect`);
      if (!regulator && pack.suspect.by !== payload.org) {
        reject("UNAUTHORIZED", `only a regulator or ${pack.suspect.by} clears ${id}`);
      }
    }
    for (const { suspect: _cleared, ...pack } of packs) {
      writePack(ctx.state, pack);
      ctx.state.delete(suspectKey(pack.gtin, pack.serial));
    }
    await countSuspects(ctx.state, packs, -1);
  },
});
