import { gtinWithinPrefixes, isGtin14 } from "@careledger/gs1";
import { type ProductView, TX_TYPES } from "@careledger/protocol";
import { orgKey, requireOrganization } from "../identity/state.js";
import { defineTxType, reject } from "../module.js";
import { asCanonical, productKey, readProduct, stamp } from "./state.js";

/** The GTIN-14 must carry a valid check digit (the schema checked 14 digits). */
export function requireGtin(gtin: string): void {
  if (!isGtin14(gtin)) reject("GTIN_INVALID", `${gtin}: the check digit is wrong`);
}

/**
 * `product.register`, by a manufacturer of `manufacturer` (or its admin): a GTIN with a valid
 * check digit, within one of the organization's GS1 company prefixes (genesis
 * `gs1CompanyPrefixes`), registered once.
 */
export const productRegister = defineTxType(TX_TYPES["product.register"], {
  reads: (payload) => [productKey(payload.gtin), orgKey(payload.manufacturer)],
  async execute(ctx, payload) {
    requireGtin(payload.gtin);
    const org = await requireOrganization(ctx.state, payload.manufacturer);
    if (!gtinWithinPrefixes(payload.gtin, org.gs1CompanyPrefixes ?? [])) {
      reject("GTIN_OUTSIDE_PREFIX", `${payload.gtin} is outside ${org.id}'s company prefixes`);
    }
    if ((await readProduct(ctx.state, payload.gtin)) !== null) {
      reject("ALREADY_EXISTS", `product ${payload.gtin} is registered`);
    }
    const product: ProductView = {
      gtin: payload.gtin,
      manufacturer: payload.manufacturer,
      name: payload.name,
      ...(payload.ndc !== undefined && { ndc: payload.ndc }),
      form: payload.form,
      strength: payload.strength,
      registered: stamp(ctx),
    };
    ctx.state.put(productKey(payload.gtin), asCanonical(product));
  },
});
