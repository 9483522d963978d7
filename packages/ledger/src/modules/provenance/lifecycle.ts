import { PACK_SERIALS_MAX, TX_TYPES } from "@careledger/protocol";
import { defineTxType, reject } from "../module.js";
import { removeStock } from "./inventory.js";
import { requireHeldLoose, requireNotRecalled } from "./rules.js";
import {
  checkGroups,
  packKeys,
  recallKey,
  requirePack,
  type StoredPack,
  serialsOf,
  writePack,
} from "./state.js";

/** The recall keys of the packs prefetched: what dispensing checks next. */
function recallKeysOf(
  groups: Parameters<typeof serialsOf>[0],
  known: (key: string) => unknown,
): string[] {
  const keys = new Set<string>();
  for (const key of packKeys(groups)) {
    const pack = known(key) as StoredPack | null | undefined;
    if (pack) keys.add(recallKey(pack.gtin, pack.lot));
  }
  return [...keys];
}

/**
 * `pack.dispense`, by a pharmacist of the pharmacy holding loose packs: saleable ones only (not
 * recalled, not suspect, not an unverified return) and not expired at the header's time (AI 17,
 * day 00 as the month's last day). They leave the chain's inventory for good.
 */
export const packDispense = defineTxType(TX_TYPES["pack.dispense"], {
  reads: (payload) => packKeys(payload.packs),
  readsAfter: (payload, _sender, known) => recallKeysOf(payload.packs, known),
  async execute(ctx, payload) {
    checkGroups(payload.packs, PACK_SERIALS_MAX);
    const packs: StoredPack[] = [];
    for (const [gtin, serial] of serialsOf(payload.packs)) {
      const pack = await requirePack(ctx.state, gtin, serial);
      const id = `pack ${gtin} ${serial}`;
      requireHeldLoose(pack, payload.org);
      await requireNotRecalled(ctx.state, gtin, pack.lot, id);
      if (pack.suspect !== undefined) reject("PACK_SUSPECT", `${id} is suspect`);
      if (pack.returnUnverified) reject("PACK_RETURN_UNVERIFIED", `${id} is an unverified return`);
      if (ctx.time >= pack.expiresAt) reject("PACK_EXPIRED", `${id} expired (${pack.expiry})`);
      packs.push(pack);
    }
    for (const pack of await removeStock(ctx.state, packs)) {
      writePack(ctx.state, { ...pack, status: "dispensed" });
    }
  },
});

/**
 * `pack.decommission`, by the custodian of loose packs it has not shipped: destroyed, damaged
 * or returned for good. Recalled, suspect and expired packs may go this way (that is where they
 * end); a suspicion stays listed for the regulator until cleared.
 */
export const packDecommission = defineTxType(TX_TYPES["pack.decommission"], {
  reads: (payload) => packKeys(payload.packs),
  async execute(ctx, payload) {
    checkGroups(payload.packs, PACK_SERIALS_MAX);
    const packs: StoredPack[] = [];
    for (const [gtin, serial] of serialsOf(payload.packs)) {
      const pack = await requirePack(ctx.state, gtin, serial);
      requireHeldLoose(pack, payload.org);
      packs.push(pack);
    }
    for (const pack of await removeStock(ctx.state, packs)) {
      writePack(ctx.state, { ...pack, status: "decommissioned", decommission: payload.reason });
    }
  },
});
