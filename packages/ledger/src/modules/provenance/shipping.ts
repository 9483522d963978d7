import {
  type Canonical,
  PACK_SERIALS_MAX,
  type ReturnVerification,
  TX_TYPES,
} from "@careledger/protocol";
import { orgKey, requireOrganization } from "../identity/state.js";
import { defineTxType, reject } from "../module.js";
import { addStock, receiveStock, removeStock } from "./inventory.js";
import { requireCaseShippable, requireHeldCase, requireShippable } from "./rules.js";
import {
  addSorted,
  asCanonical,
  caseInventoryKey,
  caseKey,
  checkGroups,
  packKeys,
  type ReturnEntry,
  readCase,
  recallKey,
  requirePack,
  returnsKey,
  type StoredCase,
  type StoredPack,
  serialsOf,
  union,
  writeCase,
  writePack,
} from "./state.js";

/** Cases named once in a shipment or receipt. */
function checkCases(cases: readonly string[]): void {
  if (new Set(cases).size !== cases.length) reject("TX_PAYLOAD_INVALID", "a case is named twice");
}

/**
 * `pack.ship`, by the custodian `from` to the organization `to`: loose packs and cases it holds
 * and has not shipped yet go in transit to `to`, and move to `to`'s inventory. Nothing recalled
 * moves; suspect packs and unverified returns go only to a regulator or back to their
 * manufacturer. A case moves as one key, whatever it holds.
 */
export const packShip = defineTxType(TX_TYPES["pack.ship"], {
  reads: (payload) => [
    orgKey(payload.to),
    ...packKeys(payload.packs),
    ...payload.cases.map(caseKey),
  ],
  readsAfter(payload, _sender, known) {
    const keys: string[] = [];
    for (const key of packKeys(payload.packs)) {
      const pack = known(key) as StoredPack | null | undefined;
      if (pack) keys.push(recallKey(pack.gtin, pack.lot));
      if (pack?.stock !== undefined) keys.push(pack.stock);
    }
    for (const sscc of payload.cases) {
      const stored = known(caseKey(sscc)) as StoredCase | null | undefined;
      for (const { gtin, lot } of stored?.lots ?? []) keys.push(recallKey(gtin, lot));
    }
    return [...new Set(keys)];
  },
  async execute(ctx, payload) {
    checkGroups(payload.packs, PACK_SERIALS_MAX);
    checkCases(payload.cases);
    if (payload.packs.length === 0 && payload.cases.length === 0) {
      reject("TX_PAYLOAD_INVALID", "a shipment names packs or cases");
    }
    if (payload.to === payload.from) reject("TX_PAYLOAD_INVALID", "a shipment goes to another org");
    await requireOrganization(ctx.state, payload.to);
    const packs: StoredPack[] = [];
    for (const [gtin, serial] of serialsOf(payload.packs)) {
      const pack = await requirePack(ctx.state, gtin, serial);
      await requireShippable(ctx.state, pack, payload.from, payload.to);
      packs.push(pack);
    }
    const cases: StoredCase[] = [];
    for (const sscc of payload.cases) {
      const stored = requireHeldCase(await readCase(ctx.state, sscc), sscc, payload.from);
      await requireCaseShippable(ctx.state, stored, payload.to);
      cases.push(stored);
    }
    const leaving = (await removeStock(ctx.state, packs)).map(
      (pack): StoredPack => ({ ...pack, status: "in-transit", inTransitTo: payload.to }),
    );
    for (const pack of await addStock(ctx.state, payload.to, ctx.idHex, leaving, payload.from)) {
      writePack(ctx.state, pack);
    }
    for (const stored of cases) {
      writeCase(ctx.state, { ...stored, status: "in-transit", inTransitTo: payload.to });
      ctx.state.delete(caseInventoryKey(payload.from, stored.sscc));
      ctx.state.put(caseInventoryKey(payload.to, stored.sscc), 1);
    }
  },
});

/** Whether what the receiver read off a returned pack matches what was commissioned. */
const matches = (pack: StoredPack, read: ReturnVerification | undefined) =>
  read !== undefined && read.lot === pack.lot && read.expiry === pack.expiry;

/**
 * `pack.receive`, by the addressee `to` of packs and cases in transit from `from`: they become
 * `to`'s, active. A pack coming back to an organization that held it before is a return (DSCSA
 * saleable returns): it is saleable again only if `verified` names it with the lot and expiry it
 * was commissioned with; else it goes on only to a regulator or its manufacturer. `verified`
 * may name only returns of this receipt. The receipt's result counts the returns, listed with
 * their outcome under `provenance/rt/<tx id>`.
 */
export const packReceive = defineTxType(TX_TYPES["pack.receive"], {
  reads: (payload) => [...packKeys(payload.packs), ...payload.cases.map(caseKey)],
  readsAfter(payload, _sender, known) {
    const keys = new Set<string>();
    for (const key of packKeys(payload.packs)) {
      const pack = known(key) as StoredPack | null | undefined;
      if (pack?.stock !== undefined) keys.add(pack.stock);
    }
    for (const sscc of payload.cases) {
      const stored = known(caseKey(sscc)) as StoredCase | null | undefined;
      // A case back at an organization one of its packs was held by: each pack is judged.
      if (stored?.packHolders.includes(payload.to) || stored?.holders.includes(payload.to)) {
        for (const key of packKeys(stored.packs)) keys.add(key);
      }
    }
    return [...keys];
  },
  async execute(ctx, payload) {
    checkGroups(payload.packs, PACK_SERIALS_MAX);
    checkCases(payload.cases);
    if (payload.packs.length === 0 && payload.cases.length === 0) {
      reject("TX_PAYLOAD_INVALID", "a receipt names packs or cases");
    }
    const reads = new Map<string, ReturnVerification>();
    for (const read of payload.verified) reads.set(`${read.gtin}/${read.serial}`, read);
    const returns: ReturnEntry[] = [];
    const judge = (pack: StoredPack, held: readonly string[]): StoredPack => {
      if (!held.includes(payload.to)) return pack;
      const id = `${pack.gtin}/${pack.serial}`;
      const verified = matches(pack, reads.get(id));
      reads.delete(id);
      returns.push({ gtin: pack.gtin, serial: pack.serial, verified });
      const { returnUnverified: _before, ...rest } = pack;
      return verified ? rest : { ...rest, returnUnverified: true };
    };
    const addressed = (status: string, custodian: string, to: string | undefined) =>
      status === "in-transit" && custodian === payload.from && to === payload.to;
    const loose: StoredPack[] = [];
    for (const [gtin, serial] of serialsOf(payload.packs)) {
      const pack = await requirePack(ctx.state, gtin, serial);
      if (pack.case !== undefined || !addressed(pack.status, pack.custodian, pack.inTransitTo)) {
        reject("NOT_ADDRESSEE", `pack ${gtin} ${serial} is not in transit from ${payload.from}`);
      }
      loose.push(pack);
    }
    // A pack's record is written only when it changes beyond custody: a return judged, or a
    // shipment received in part (inventory.ts receiveStock).
    const rewritten = new Map<string, StoredPack>();
    for (const pack of loose) {
      const judged = judge(pack, pack.holders);
      if (judged !== pack) rewritten.set(`${pack.gtin}/${pack.serial}`, judged);
    }
    const current = loose.map((pack) => rewritten.get(`${pack.gtin}/${pack.serial}`) ?? pack);
    for (const pack of await receiveStock(ctx.state, payload.to, ctx.idHex, current)) {
      rewritten.set(`${pack.gtin}/${pack.serial}`, pack);
    }
    for (const pack of rewritten.values()) {
      const { inTransitTo: _to, ...arrived } = pack;
      writePack(ctx.state, {
        ...arrived,
        status: "active",
        custodian: payload.to,
        holders: addSorted(pack.holders, payload.to),
      });
    }
    for (const sscc of payload.cases) {
      const stored = await readCase(ctx.state, sscc);
      if (stored === null || stored.status === "unpacked") {
        return reject("CASE_NOT_FOUND", `no packed case ${sscc}`);
      }
      if (!addressed(stored.status, stored.custodian, stored.inTransitTo)) {
        reject("NOT_ADDRESSEE", `case ${sscc} is not in transit from ${payload.from}`);
      }
      let unverified = stored.unverified;
      if (stored.packHolders.includes(payload.to) || stored.holders.includes(payload.to)) {
        unverified = 0;
        for (const [gtin, serial] of serialsOf(stored.packs)) {
          const pack = await requirePack(ctx.state, gtin, serial);
          const judged = judge(pack, union(pack.holders, stored.holders));
          if (judged !== pack) writePack(ctx.state, judged);
          if (judged.returnUnverified) unverified++;
        }
      }
      const { inTransitTo: _to, ...arrived } = stored;
      writeCase(ctx.state, {
        ...arrived,
        status: "active",
        custodian: payload.to,
        holders: addSorted(stored.holders, payload.to),
        unverified,
      });
    }
    const [stray] = reads.values();
    if (stray !== undefined) {
      reject("TX_PAYLOAD_INVALID", `${stray.gtin} ${stray.serial} is no return of this receipt`);
    }
    if (returns.length > 0) {
      ctx.state.put(returnsKey(ctx.idHex), asCanonical(returns));
      ctx.result({ returns: returns.length } as Canonical);
    }
  },
});
