import jsQRModule from "jsqr";
import { PNG } from "pngjs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GTIN, SupplyChain } from "../supplyChain.testkit.js";
import { ORIGIN, Responder } from "./responder.testkit.js";

let w: SupplyChain;
let responder: Responder;
beforeEach(async () => {
  w = await SupplyChain.create("qr");
  await w.register();
  await w.commission(["S/1"], "L1", "301200");
  responder = new Responder(w);
});
afterEach(() => w.close());

// jsqr is CommonJS: under Node's ESM rules its default import is `module.exports`.
const jsQR = jsQRModule.default;

/** The text a QR code PNG holds, read back by an independent decoder. */
function decodePng(bytes: Uint8Array): string | undefined {
  const image = PNG.sync.read(Buffer.from(bytes));
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data;
}

/** The pack's canonical Digital Link at this node: lot and serial in the path, expiry as sent. */
const CANONICAL = `${ORIGIN}/01/${GTIN}/10/L1/21/S%2F1?17=301200`;

describe("the pack's Digital Link as a QR code", () => {
  it("renders a PNG that decodes back to the canonical Digital Link, from either path form", async () => {
    for (const url of [`/01/${GTIN}/10/L1/21/S%2F1/qr.png`, `/01/${GTIN}/21/S%2F1/qr.png`]) {
      const answer = await responder.get(url);
      expect(answer.contentType).toBe("image/png");
      expect(decodePng(answer.body as Uint8Array), url).toBe(CANONICAL);
    }
  });

  it("renders an SVG of the same code", async () => {
    const answer = await responder.get(`/01/${GTIN}/21/S%2F1/qr.svg`);
    expect(answer.contentType).toBe("image/svg+xml");
    expect(answer.body).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  });

  it("refuses a link whose lot or expiry is not the pack's, so it never shows the real ones", async () => {
    // Verification answers No_match_GTIN_Serial_Lot here; a QR code of the canonical link would
    // hand an anonymous caller the lot and expiry that answer withholds.
    for (const url of [
      `/01/${GTIN}/10/L2/21/S%2F1/qr.png`,
      `/01/${GTIN}/10/L1/21/S%2F1/qr.svg?17=301130`,
    ]) {
      const answer = await responder.get(url);
      expect([answer.status, (answer.body as { code: string }).code], url).toEqual([
        404,
        "PACK_NOT_FOUND",
      ]);
    }
  });

  it("refuses an unknown pack (404) and an invalid link (400), as verification does", async () => {
    const unknown = await responder.get(`/01/${GTIN}/21/NOPE/qr.png`);
    expect([unknown.status, (unknown.body as { code: string }).code]).toEqual([
      404,
      "PACK_NOT_FOUND",
    ]);
    const invalid = await responder.get("/01/09520123456789/21/S1/qr.svg");
    expect([invalid.status, (invalid.body as { code: string }).code]).toEqual([
      400,
      "DIGITAL_LINK_INVALID",
    ]);
  });
});
