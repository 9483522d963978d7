import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from "node:crypto";
import { accountId, CareLedgerError, keySigner, nobleVerifier, toHex } from "@careledger/protocol";
import { describe, expect, it } from "vitest";
import {
  exportPublicKeyJwk,
  exportPublicKeyPem,
  exportSecretKeyHex,
  exportSecretKeyJwk,
  exportSecretKeyPem,
  generateKeyPair,
  importPublicKeyJwk,
  importPublicKeyPem,
  importSecretKeyHex,
  importSecretKeyJwk,
  importSecretKeyPem,
  keyPairFromSecretKey,
} from "./keys.js";

const MESSAGE = new TextEncoder().encode("careledger interop");

function expectCode(run: () => unknown, code: string) {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CareLedgerError);
    expect((error as CareLedgerError).code).toBe(code);
    return;
  }
  throw new Error(`expected ${code}`);
}

describe("keys", () => {
  it("derives the account id as the hex public key and round-trips raw hex", () => {
    const pair = generateKeyPair();
    expect(pair.accountId).toBe(toHex(pair.publicKey));
    expect(pair.accountId).toBe(accountId(pair.publicKey));
    const hex = exportSecretKeyHex(pair.secretKey);
    expect(hex).toMatch(/^[0-9a-f]{64}$/);
    expect(importSecretKeyHex(`${hex}\n`)).toEqual(pair.secretKey);
    expectCode(() => importSecretKeyHex(hex.slice(2)), "ENCODING_INVALID");
  });

  it("round-trips PEM and JWK for secret and public keys", () => {
    const pair = generateKeyPair();
    expect(importSecretKeyPem(exportSecretKeyPem(pair.secretKey))).toEqual(pair.secretKey);
    expect(importPublicKeyPem(exportPublicKeyPem(pair.publicKey))).toEqual(pair.publicKey);
    expect(importSecretKeyJwk(exportSecretKeyJwk(pair.secretKey))).toEqual(pair.secretKey);
    expect(importPublicKeyJwk(exportPublicKeyJwk(pair.publicKey))).toEqual(pair.publicKey);
  });

  it("writes PEM and JWK that node:crypto imports and signs with, for the same key", () => {
    const pair = generateKeyPair();
    const fromPem = createPrivateKey(exportSecretKeyPem(pair.secretKey));
    const fromJwk = createPrivateKey({
      key: { ...exportSecretKeyJwk(pair.secretKey) },
      format: "jwk",
    });
    const publicPem = createPublicKey(exportPublicKeyPem(pair.publicKey));
    const publicJwk = createPublicKey({
      key: { ...exportPublicKeyJwk(pair.publicKey) },
      format: "jwk",
    });
    for (const privateKey of [fromPem, fromJwk]) {
      const signature = new Uint8Array(sign(null, MESSAGE, privateKey));
      // Ed25519 signatures are deterministic: node:crypto and noble must agree byte for byte.
      expect(signature).toEqual(keySigner(pair.secretKey).sign(MESSAGE));
      expect(verify(null, MESSAGE, publicPem, signature)).toBe(true);
      expect(verify(null, MESSAGE, publicJwk, signature)).toBe(true);
    }
  });

  it("reads PEM and JWK that node:crypto writes", () => {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const pemText = privateKey.export({ format: "pem", type: "pkcs8" }).toString();
    const secretKey = importSecretKeyPem(pemText);
    const pair = keyPairFromSecretKey(secretKey);
    const publicPem = publicKey.export({ format: "pem", type: "spki" }).toString();
    expect(importPublicKeyPem(publicPem)).toEqual(pair.publicKey);
    expect(importSecretKeyJwk(privateKey.export({ format: "jwk" }))).toEqual(secretKey);
    expect(importPublicKeyJwk(publicKey.export({ format: "jwk" }))).toEqual(pair.publicKey);
    const signature = new Uint8Array(sign(null, MESSAGE, privateKey));
    expect(nobleVerifier.verify(pair.publicKey, MESSAGE, signature)).toBe(true);
  });

  it("refuses keys of another algorithm, wrong lengths and mismatched JWK halves", () => {
    const pair = generateKeyPair();
    const other = generateKeyPair();
    const pem = exportSecretKeyPem(pair.secretKey);
    expectCode(() => importSecretKeyPem(pem.replace("PRIVATE", "PUBLIC")), "ENCODING_INVALID");
    expectCode(() => importPublicKeyPem(pem), "ENCODING_INVALID");
    // An X25519 key has the same layout with OID 1.3.101.110 (0x6e) instead of Ed25519's 0x70.
    const x25519 = generateKeyPairSync("x25519")
      .privateKey.export({ format: "pem", type: "pkcs8" })
      .toString();
    expectCode(() => importSecretKeyPem(x25519), "ENCODING_INVALID");
    const mismatched = {
      ...exportSecretKeyJwk(pair.secretKey),
      x: exportPublicKeyJwk(other.publicKey).x,
    };
    expectCode(() => importSecretKeyJwk(mismatched), "ENCODING_INVALID");
    expectCode(() => importSecretKeyJwk(exportPublicKeyJwk(pair.publicKey)), "ENCODING_INVALID");
    expectCode(() => importPublicKeyJwk({ kty: "EC", crv: "P-256", x: "AA" }), "ENCODING_INVALID");
    expectCode(
      () => importPublicKeyJwk({ kty: "OKP", crv: "Ed25519", x: "AAAA" }),
      "ENCODING_INVALID",
    );
    expectCode(() => exportSecretKeyPem(new Uint8Array(31)), "ENCODING_INVALID");
  });
});
