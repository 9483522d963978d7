import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from "node:crypto";
import { publicKeyOf, type Signer, type Verifier } from "@careledger/protocol";

// DER headers of Ed25519 keys (RFC 8410): PKCS#8 for a 32-byte seed, SPKI for a public key.
const PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/** A Signer through node:crypto: about 15 times faster than noble, for tests and benchmarks. */
export function nodeSigner(secretKey: Uint8Array): Signer {
  const key = createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, secretKey]),
    format: "der",
    type: "pkcs8",
  });
  return { publicKey: publicKeyOf(secretKey), sign: (message) => sign(null, message, key) };
}

/** The node:crypto verifier (RFC 8032), with public key objects cached by key. */
export function nodeVerifier(): Verifier {
  const keys = new Map<string, KeyObject>();
  return {
    verify(publicKey, message, signature) {
      const hex = Buffer.from(publicKey).toString("hex");
      let key = keys.get(hex);
      if (key === undefined) {
        key = createPublicKey({
          key: Buffer.concat([SPKI_PREFIX, publicKey]),
          format: "der",
          type: "spki",
        });
        keys.set(hex, key);
      }
      return verify(null, message, key, signature);
    },
  };
}
