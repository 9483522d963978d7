import { validateSscc } from "@careledger/gs1";
import { PACK_SERIALS_MAX, TX_TYPES } from "@careledger/protocol";
import { defineTxType, reject } from "../module.js";
import { addStock, removeStock } from "./inventory.js";
import { requireHeldCase, requireHeldLoose } from "./rules.js";
import {
  caseInventoryKey,
  caseKey,
  checkGroups,
  groupPacks,
  packKeys,
  readCase,
  requirePack,
  type StoredCase,
  type StoredPack,
  serialsOf,
  stamp,
  union,
  writeCase,
  writePack,
} from "./state.js";

/** The SSCC must carry a valid check digit (the schema checked 18 digits). */
export function requireSscc(sscc: string): void {
  const valid = validateSscc(sscc);
  if (!valid.ok) reject("SSCC_INVALID", `${sscc}: ${valid.error.message}`);
}

/**
 * `case.pack`, by the custodian `org`: a new SSCC (one never used: an unpacked case's is spent)
 * around loose packs it holds and has not shipped. The packs leave the org's loose inventory and
 * the case enters it; from now on the case carries their custody.
 */
export const casePack = defineTxType(TX_TYPES["case.pack"], {
  reads: (payload) => [caseKey(payload.sscc), ...packKeys(payload.packs)],
  async execute(ctx, payload) {
    requireSscc(payload.sscc);
    checkGroups(payload.packs, PACK_SERIALS_MAX);
    if ((await readCase(ctx.state, payload.sscc)) !== null) {
      reject("ALREADY_EXISTS", `SSCC ${payload.sscc} is used`);
    }
    const packs: StoredPack[] = [];
    for (const [gtin, serial] of serialsOf(payload.packs)) {
      const pack = await requirePack(ctx.state, gtin, serial);
      requireHeldLoose(pack, payload.org);
      packs.push(pack);
    }
    const lots = new Map<string, { gtin: string; lot: string }>();
    let packHolders: string[] = [];
    for (const pack of await removeStock(ctx.state, packs)) {
      lots.set(`${pack.gtin}/${pack.lot}`, { gtin: pack.gtin, lot: pack.lot });
      packHolders = union(packHolders, pack.holders);
      writePack(ctx.state, { ...pack, case: payload.sscc });
    }
    const stored: StoredCase = {
      sscc: payload.sscc,
      custodian: payload.org,
      status: "active",
      packs: groupPacks(packs.map((pack) => [pack.gtin, pack.serial])),
      lots: [...lots.keys()].sort().map((key) => lots.get(key) as { gtin: string; lot: string }),
      manufacturers: union(
        [],
        packs.map((pack) => pack.manufacturer),
      ),
      holders: [payload.org],
      packHolders,
      suspects: packs.filter((pack) => pack.suspect !== undefined).length,
      unverified: packs.filter((pack) => pack.returnUnverified).length,
      packed: stamp(ctx),
    };
    writeCase(ctx.state, stored);
    ctx.state.put(caseInventoryKey(payload.org, payload.sscc), 1);
  },
});

/**
 * `case.unpack`, by the custodian of a case it holds (not in transit): its packs stand alone
 * again at that organization, with the case's holders among theirs; the SSCC is spent.
 */
export const caseUnpack = defineTxType(TX_TYPES["case.unpack"], {
  reads: (payload) => [caseKey(payload.sscc)],
  readsAfter(payload, _sender, known) {
    const stored = known(caseKey(payload.sscc)) as StoredCase | null | undefined;
    if (stored === null || stored === undefined) return [];
    return packKeys(stored.packs);
  },
  async execute(ctx, payload) {
    const stored = requireHeldCase(
      await readCase(ctx.state, payload.sscc),
      payload.sscc,
      payload.org,
    );
    const packs: StoredPack[] = [];
    for (const [gtin, serial] of serialsOf(stored.packs)) {
      const { case: _left, ...pack } = await requirePack(ctx.state, gtin, serial);
      packs.push({
        ...pack,
        status: "active",
        custodian: payload.org,
        holders: union(pack.holders, stored.holders),
      });
    }
    for (const pack of await addStock(ctx.state, payload.org, ctx.idHex, packs)) {
      writePack(ctx.state, pack);
    }
    ctx.state.delete(caseInventoryKey(payload.org, payload.sscc));
    writeCase(ctx.state, { ...stored, status: "unpacked" });
  },
});
