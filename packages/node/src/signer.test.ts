import { generateSecretKey, keySigner, nobleVerifier } from "@careledger/protocol";
import { describe, expect, it } from "vitest";
import { nodeCryptoSigner } from "./signer.js";
import { sodiumVerifier } from "./verifier.js";

describe("nodeCryptoSigner", () => {
  it("makes the same deterministic signature as noble, and both verifiers accept it", () => {
    const secret = generateSecretKey();
    const message = new TextEncoder().encode("commit h=7");
    const fast = nodeCryptoSigner(secret).sign(message);
    expect(fast).toEqual(keySigner(secret).sign(message));
    const { publicKey } = nodeCryptoSigner(secret);
    expect(sodiumVerifier.verify(publicKey, message, fast)).toBe(true);
    expect(nobleVerifier.verify(publicKey, message, fast)).toBe(true);
    expect(sodiumVerifier.verify(publicKey, Uint8Array.of(1), fast)).toBe(false);
  });
});
