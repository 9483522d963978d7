import { hash } from "node:crypto";
import { concatBytes, type Signer, toHex, type Verifier } from "@careledger/protocol";

/**
 * A fast stand-in for Ed25519 in big simulation runs, keeping its one rule that matters here:
 * nobody can sign for another. A signature is a keyed hash under the signer's secret; only the
 * verifier (the simulator, which plays the role of the math) holds the table of secrets.
 */
export class FastKeyring implements Verifier {
  private readonly secrets = new Map<string, Uint8Array>();

  /** A signer whose public key and secret derive from `index` (one keyring per run). */
  signer(index: number): Signer {
    const secret = digest([Uint8Array.of(1, index & 0xff, index >> 8)]);
    const publicKey = digest([Uint8Array.of(2), secret]);
    this.secrets.set(toHex(publicKey), secret);
    return { publicKey, sign: (message) => signature(secret, message) };
  }

  verify(publicKey: Uint8Array, message: Uint8Array, sig: Uint8Array): boolean {
    const secret = this.secrets.get(toHex(publicKey));
    if (secret === undefined || sig.byteLength !== 64) return false;
    const expected = signature(secret, message);
    for (let i = 0; i < 64; i++) if (expected[i] !== sig[i]) return false;
    return true;
  }
}

/** A keyed hash, written twice to fill the 64 bytes of a signature. */
function signature(secret: Uint8Array, message: Uint8Array): Uint8Array {
  const mac = digest([secret, message]);
  const out = new Uint8Array(64);
  out.set(mac, 0);
  out.set(mac, 32);
  return out;
}

function digest(parts: readonly Uint8Array[]): Uint8Array {
  // The one-shot hash is several times faster than createHash for inputs this small.
  return new Uint8Array(hash("sha256", concatBytes(...parts), "buffer"));
}

export function sha256Fast(parts: readonly Uint8Array[]): Uint8Array {
  return digest(parts);
}
