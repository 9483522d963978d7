import { TX_TYPES } from "@careledger/protocol";
import { defineTxType, reject } from "../module.js";
import { requireGtin } from "./catalog.js";
import { addStock } from "./inventory.js";
import {
  expiresAtOf,
  packKey,
  productKey,
  readPack,
  requireProduct,
  type StoredPack,
  stamp,
  writePack,
} from "./state.js";

/**
 * `pack.commission`, by a manufacturer of the product's manufacturer: serials new for the GTIN
 * (SERIAL_DUPLICATE, also for one named twice), one lot, an AI 17 expiry that is a date. The
 * packs start active in the manufacturer's inventory.
 */
export const packCommission = defineTxType(TX_TYPES["pack.commission"], {
  reads: (payload) => [
    productKey(payload.gtin),
    ...payload.serials.map((serial) => packKey(payload.gtin, serial)),
  ],
  async execute(ctx, payload) {
    requireGtin(payload.gtin);
    const product = await requireProduct(ctx.state, payload.gtin);
    if (product.manufacturer !== payload.manufacturer) {
      reject("UNAUTHORIZED", `product ${payload.gtin} is ${product.manufacturer}'s`);
    }
    const expiresAt = expiresAtOf(payload.expiry, ctx.time);
    const seen = new Set<string>();
    for (const serial of payload.serials) {
      if (seen.has(serial)) reject("SERIAL_DUPLICATE", `serial ${serial} is named twice`);
      seen.add(serial);
      if ((await readPack(ctx.state, payload.gtin, serial)) !== null) {
        reject("SERIAL_DUPLICATE", `serial ${serial} of ${payload.gtin} is commissioned`);
      }
    }
    const commissioned = stamp(ctx);
    const holders = [payload.manufacturer];
    const packs = payload.serials.map(
      (serial): StoredPack => ({
        gtin: payload.gtin,
        serial,
        lot: payload.lot,
        expiry: payload.expiry,
        manufacturer: payload.manufacturer,
        status: "active",
        custodian: payload.manufacturer,
        holders,
        expiresAt,
        commissioned,
      }),
    );
    for (const pack of await addStock(ctx.state, payload.manufacturer, ctx.idHex, packs)) {
      writePack(ctx.state, pack);
    }
  },
});
