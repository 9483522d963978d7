import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { fromHex, nobleVerifier } from "@careledger/protocol";
import { describe, expect, it } from "vitest";
import { sodiumVerifier } from "./verifier.js";

/**
 * Ed25519 edge cases with the verdict of each verifier, pinned so that a library upgrade that
 * changes a rule fails here. `node` is sodiumVerifier (libsodium: canonical S, R and A, neither R
 * nor A of small order, cofactorless equation), the only rule consensus applies. `noble` is
 * protocol's nobleVerifier (zip215: false: canonical encodings, no small-order public key, but a
 * cofactored equation). `zip215` is noble with ZIP-215 rules, recorded for documentation only.
 * (Before libsodium the node used OpenSSL, which also accepted small-order and non-canonically
 * encoded keys: the key that "signs" every message among them.)
 *
 * The first twelve are the vectors of "Taming the many EdDSAs" (Chalkias, Garillot, Nikolaenko,
 * 2020), cases.txt of github.com/novifinancial/ed25519-speccheck; the others are built here
 * (identity R = 0100..00, S = 0 unless stated). "small" = order 1, 2, 4 or 8; "mixed" = a
 * large-order point plus a torsion component.
 */
interface Vector {
  readonly name: string;
  readonly publicKey: string;
  readonly message: string;
  readonly signature: string;
  readonly node: boolean;
  readonly noble: boolean;
  readonly zip215: boolean;
  /** Why node and noble disagree; present exactly when they do. */
  readonly disagreement?: string;
}

const SMALL_R =
  "libsodium refuses a small-order R; noble strict checks only the key's order and the equation";
const COFACTOR =
  "noble checks [8](SB - R - kA) = 0 (cofactored); libsodium checks SB - kA = R exactly";

const ID = `01${"00".repeat(31)}`;
const S_ZERO = "00".repeat(32);
const R_ID_S_ZERO = ID + S_ZERO;

const VECTORS: readonly Vector[] = [
  {
    name: "speccheck 0: S = 0, small A, small R",
    publicKey: "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
    message: "8c93255d71dcab10e8f379c26200f3c7bd5f09d9bc3068d3ef4edeb4853022b6",
    signature: `c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a${S_ZERO}`,
    node: false,
    noble: false,
    zip215: true,
  },
  {
    name: "speccheck 1: 0 < S < L, small A, mixed R",
    publicKey: "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
    message: "9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79",
    signature:
      "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43a5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04",
    node: false,
    noble: false,
    zip215: true,
  },
  {
    name: "speccheck 2: 0 < S < L, mixed A, small R",
    publicKey: "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43",
    message: "aebf3f2601a0c8c5d39cc7d8911642f740b78168218da8471772b35f9d35b9ab",
    signature:
      "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa8c4bd45aecaca5b24fb97bc10ac27ac8751a7dfe1baff8b953ec9f5833ca260e",
    node: false,
    noble: true,
    zip215: true,
    disagreement: SMALL_R,
  },
  {
    name: "speccheck 3: 0 < S < L, mixed A, mixed R, passes both equations",
    publicKey: "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d",
    message: "9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79",
    signature:
      "9046a64750444938de19f227bb80485e92b83fdb4b6506c160484c016cc1852f87909e14428a7a1d62e9f22f3d3ad7802db02eb2e688b6c52fcd6648a98bd009",
    node: true,
    noble: true,
    zip215: true,
  },
  {
    name: "speccheck 4: 0 < S < L, mixed A, mixed R, passes only the cofactored equation",
    publicKey: "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d",
    message: "e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c",
    signature:
      "160a1cb0dc9c0258cd0a7d23e94d8fa878bcb1925f2c64246b2dee1796bed5125ec6bc982a269b723e0668e540911a9a6a58921d6925e434ab10aa7940551a09",
    node: false,
    noble: true,
    zip215: true,
    disagreement: COFACTOR,
  },
  {
    name: "speccheck 5: 0 < S < L, mixed A, L-order R, passes only the cofactored equation",
    publicKey: "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d",
    message: "e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c",
    signature:
      "21122a84e0b5fca4052f5b1235c80a537878b38f3142356b2c2384ebad4668b7e40bc836dac0f71076f9abe3a53f9c03c1ceeeddb658d0030494ace586687405",
    node: false,
    noble: true,
    zip215: true,
    disagreement: COFACTOR,
  },
  {
    name: "speccheck 6: S > L (non-canonical scalar)",
    publicKey: "442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623",
    message: "85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40",
    signature:
      "e96f66be976d82e60150baecff9906684aebb1ef181f67a7189ac78ea23b6c0e547f7690a0e2ddcd04d87dbc3490dc19b3b3052f7ff0538cb68afb369ba3a514",
    node: false,
    noble: false,
    zip215: false,
  },
  {
    name: "speccheck 7: S >> L (high bits set)",
    publicKey: "442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623",
    message: "85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40",
    signature:
      "8ce5b96c8f26d0ab6c47958c9e68b937104cd36e13c33566acd2fe8d38aa19427e71f98a473474f2f13f06f97c20d58cc3f54b8bd0d272f42b695dd7e89a8c22",
    node: false,
    noble: false,
    zip215: false,
  },
  {
    name: "speccheck 8: non-canonical R (y >= p)",
    publicKey: "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43",
    message: "9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41",
    signature:
      "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff03be9678ac102edcd92b0210bb34d7428d12ffc5df5f37e359941266a4e35f0f",
    node: false,
    noble: false,
    zip215: false,
  },
  {
    name: "speccheck 9: non-canonical R (y >= p), reduced form passes ZIP-215",
    publicKey: "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43",
    message: "9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41",
    signature:
      "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffca8c5b64cd208982aa38d4936621a4775aa233aa0505711d8fdcfdaa943d4908",
    node: false,
    noble: false,
    zip215: true,
  },
  {
    name: "speccheck 10: non-canonical small A (y >= p)",
    publicKey: "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    message: "e96b7021eb39c1a163b6da4e3093dcd3f21387da4cc4572be588fafae23c155b",
    signature:
      "a9d55260f765261eb9b84e106f665e00b867287a761990d7135963ee0a7d59dca5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04",
    node: false,
    noble: false,
    zip215: true,
  },
  {
    name: "speccheck 11: non-canonical small A (y >= p), hash over the non-canonical bytes",
    publicKey: "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    message: "39a591f5321bbe07fd5a23dc2f39d025d74526615746727ceefd6e82ae65c06f",
    signature:
      "a9d55260f765261eb9b84e106f665e00b867287a761990d7135963ee0a7d59dca5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04",
    node: false,
    noble: false,
    zip215: true,
  },
  {
    name: "an ordinary signature",
    publicKey: "197f6b23e16c8532c6abc838facd5ea789be0c76b2920334039bfa8b3d368d61",
    message: "636172656c6564676572",
    signature:
      "a9743899dff2d420f9ccfd316630a83afa587befa3ff0bad2fc08dbd6ad0d2f6ccaf2f49bda49609f171d0680abbfa8d7c2891facfa43aa021aeafaa570f0a07",
    node: true,
    noble: true,
    zip215: true,
  },
  {
    name: "the ordinary signature with S + L (malleated scalar)",
    publicKey: "197f6b23e16c8532c6abc838facd5ea789be0c76b2920334039bfa8b3d368d61",
    message: "636172656c6564676572",
    signature:
      "a9743899dff2d420f9ccfd316630a83afa587befa3ff0bad2fc08dbd6ad0d2f6b98325a6d707a961c70ec80be9b4d9a27c2891facfa43aa021aeafaa570f0a17",
    node: false,
    noble: false,
    zip215: false,
  },
  {
    // With A the identity, SB - kA = 0 = R for every message: a key that "signs" anything.
    name: "A = identity, R = identity, S = 0",
    publicKey: ID,
    message: "00",
    signature: R_ID_S_ZERO,
    node: false,
    noble: false,
    zip215: true,
  },
  {
    name: "A = identity, R = identity, S = L",
    publicKey: ID,
    message: "00",
    signature: `${ID}edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010`,
    node: false,
    noble: false,
    zip215: false,
  },
  {
    name: "A = identity, R = identity encoded non-canonically (y = p + 1)",
    publicKey: ID,
    message: "00",
    signature: `eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f${S_ZERO}`,
    node: false,
    noble: false,
    zip215: true,
  },
  {
    // -kA is the identity exactly when k is even; k is odd for this message.
    name: "A of order 2, odd k",
    publicKey: "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    message: "00",
    signature: R_ID_S_ZERO,
    node: false,
    noble: false,
    zip215: true,
  },
  {
    name: "A of order 2, even k",
    publicKey: "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    message: "01",
    signature: R_ID_S_ZERO,
    node: false,
    noble: false,
    zip215: true,
  },
  {
    name: "A of order 4, k not a multiple of 4",
    publicKey: "00".repeat(32),
    message: "00",
    signature: R_ID_S_ZERO,
    node: false,
    noble: false,
    zip215: true,
  },
  {
    name: "A of order 8, k not a multiple of 8",
    publicKey: "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    message: "00",
    signature: R_ID_S_ZERO,
    node: false,
    noble: false,
    zip215: true,
  },
  {
    name: "A = identity encoded non-canonically (y = p + 1)",
    publicKey: "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    message: "00",
    signature: R_ID_S_ZERO,
    node: false,
    noble: false,
    zip215: true,
  },
  {
    name: "A = identity with the sign bit of x = 0 set",
    publicKey: "0100000000000000000000000000000000000000000000000000000000000080",
    message: "00",
    signature: R_ID_S_ZERO,
    node: false,
    noble: false,
    zip215: true,
  },
  {
    name: "A of order 4 encoded non-canonically (y = p)",
    publicKey: "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    message: "00",
    signature: R_ID_S_ZERO,
    node: false,
    noble: false,
    zip215: true,
  },
  {
    // A = aB + T8 signed honestly with a: kT8 vanishes when 8 divides k.
    name: "mixed-order A, honest signature, k a multiple of 8",
    publicKey: "5e2a648325bc9a8f481c735248eda873674ff86f0a74835f61c4b8e2eb0a4879",
    message: "00",
    signature:
      "ef4f62f8479733ad879cfaced3c89a9c39dd4fc795ef2efa1c3eafe4d729a0817d1addfda18037c27f3a9c6170a6c0b7c71134f0a66ead25b8fd8b2f009ff604",
    node: true,
    noble: true,
    zip215: true,
  },
  {
    name: "mixed-order A, honest signature, k = 4 mod 8",
    publicKey: "5e2a648325bc9a8f481c735248eda873674ff86f0a74835f61c4b8e2eb0a4879",
    message: "01",
    signature:
      "aee32c13edce6441f623b0aad7c4b5926df1343a86976ea76e378d4d033fbbe7505bf03924a79a3804008a4e593712e3b9690b51da25454266cdb825119e820d",
    node: false,
    noble: true,
    zip215: true,
    disagreement: COFACTOR,
  },
];

// The node package depends on no curve library; the ZIP-215 column is read through the copy of
// @noble/curves that the protocol package resolves, so the table stays in one place.
interface Zip215Curve {
  verify(signature: Uint8Array, message: Uint8Array, key: Uint8Array, o: { zip215: true }): boolean;
}
const fromProtocol = createRequire(import.meta.resolve("@careledger/protocol"));
const nobleUrl = pathToFileURL(fromProtocol.resolve("@noble/curves/ed25519.js")).href;
const { ed25519 } = (await import(nobleUrl)) as { ed25519: Zip215Curve };

function zip215Verdict(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) {
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: true });
  } catch {
    return false;
  }
}

describe("Ed25519 edge-case vectors", () => {
  it.each(VECTORS)("$name", (vector) => {
    const publicKey = fromHex(vector.publicKey, 32);
    const message = fromHex(vector.message);
    const signature = fromHex(vector.signature, 64);
    const verdicts = {
      node: sodiumVerifier.verify(publicKey, message, signature),
      noble: nobleVerifier.verify(publicKey, message, signature),
      zip215: zip215Verdict(publicKey, message, signature),
    };
    expect(verdicts).toEqual({ node: vector.node, noble: vector.noble, zip215: vector.zip215 });
  });

  it("names a rule for exactly the vectors where node and noble disagree", () => {
    const disagreeing = VECTORS.filter((vector) => vector.node !== vector.noble);
    const explained = VECTORS.filter((vector) => vector.disagreement !== undefined);
    expect(explained).toEqual(disagreeing);
    // Each rule that separates them is exercised at least once.
    const rules = new Set(disagreeing.map((vector) => vector.disagreement));
    expect(rules).toEqual(new Set([SMALL_R, COFACTOR]));
  });
});
