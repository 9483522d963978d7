import * as protocol from "@careledger/protocol";
import {
  CareLedgerError,
  decodeTx,
  keySigner,
  nobleVerifier,
  sha256,
  TX_TTL_MAX,
  verifyTx,
} from "@careledger/protocol";
import { describe, expect, it } from "vitest";
import { buildTx, expiresAfter, randomNonce, TxBuilder } from "./builder.js";
import { generateKeyPair } from "./keys.js";
import { TX_PAYLOADS, TX_TYPE_NAMES } from "./txTypes.js";

type TxTypeName = protocol.TxTypeName;
type PayloadOf<T extends TxTypeName> = protocol.PayloadOf<T>;

const CHAIN = sha256(new TextEncoder().encode("test chain"));
const admin = generateKeyPair();

/** One valid payload of every built-in type: the contract's examples, so a new type brings one. */
const SAMPLES = Object.fromEntries(
  TX_TYPE_NAMES.map((type) => [type, protocol.TX_TYPES[type].example]),
) as unknown as { [T in TxTypeName]: PayloadOf<T> };

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof CareLedgerError) return error.code;
    throw error;
  }
  throw new Error("expected a CareLedgerError");
}

describe("transaction builders", () => {
  it("build every built-in type into bytes that decodeTx and verifyTx accept", () => {
    const builder = new TxBuilder(CHAIN, keySigner(admin.secretKey));
    for (const type of TX_TYPE_NAMES) {
      const built = builder.build(type, SAMPLES[type] as PayloadOf<typeof type>, 42);
      const decoded = decodeTx(built.bytes);
      expect(decoded.id).toEqual(built.id);
      expect(decoded.tx.type).toBe(type);
      expect(decoded.tx.chain).toEqual(CHAIN);
      expect(decoded.tx.from).toEqual(admin.publicKey);
      expect(decoded.tx.expires).toBe(42);
      expect(decoded.tx.nonce.byteLength).toBe(8);
      expect(verifyTx(decoded.tx, nobleVerifier)).toBe(true);
      expect(TX_PAYLOADS[type].check(decoded.tx.payload)).toBeTruthy();
    }
  });

  it("cover every payload checker the protocol exports", () => {
    const checkers = Object.entries(protocol).filter(
      ([name, value]) =>
        name.endsWith("Payload") &&
        typeof value === "object" &&
        value !== null &&
        "check" in value &&
        "schema" in value,
    );
    const mapped = new Set<unknown>(Object.values(TX_PAYLOADS));
    const missing = checkers.filter(([, checker]) => !mapped.has(checker)).map(([name]) => name);
    expect(missing).toEqual([]);
    expect(checkers.length).toBe(TX_TYPE_NAMES.length);
  });

  it("refuse a payload outside its schema before signing, with TX_PAYLOAD_INVALID", () => {
    let signed = 0;
    const signer = {
      ...keySigner(admin.secretKey),
      sign: () => {
        signed++;
        return new Uint8Array(64);
      },
    };
    const options = { chainId: CHAIN, expires: 10 };
    const badRoles = { ...SAMPLES["identity.register"], roles: ["surgeon"] };
    expect(codeOf(() => buildTx("identity.register", badRoles as never, signer, options))).toBe(
      "TX_PAYLOAD_INVALID",
    );
    const extraField = { ...SAMPLES["gov.vote"], weight: 2 };
    expect(codeOf(() => buildTx("gov.vote", extraField as never, signer, options))).toBe(
      "TX_PAYLOAD_INVALID",
    );
    const shortKey = { key: new Uint8Array(31) };
    expect(codeOf(() => buildTx("identity.revoke", shortKey, signer, options))).toBe(
      "TX_PAYLOAD_INVALID",
    );
    expect(codeOf(() => buildTx("claim.approve" as TxTypeName, {} as never, signer, options))).toBe(
      "TX_UNKNOWN_TYPE",
    );
    expect(signed).toBe(0);
  });

  it("build the consent, access and records types, and refuse a broken rule of each's schema", () => {
    const builder = new TxBuilder(CHAIN, keySigner(admin.secretKey));
    // One refusal per type: a field out of its bound or shape, the rest as in the example.
    const broken: { [T in TxTypeName]?: Record<string, unknown> } = {
      "consent.grant": { purposes: ["SURGERY"] },
      "consent.revoke": { id: "5F0C6A52E3B14D7C9A8E2F61B0D4C3A7" },
      "consent.delegate": { delegate: new Uint8Array(31) },
      "consent.undelegate": { patient: "07".repeat(32) },
      "access.log": { action: "delete" },
      "access.review": { justified: "yes" },
      "record.anchor": { class: "diary" },
      "record.amend": { previous: 0 },
      "record.forget": { id: "ab" },
      "record.forgotten": { custodian: "" },
    };
    for (const [type, change] of Object.entries(broken) as [TxTypeName, object][]) {
      expect(TX_TYPE_NAMES).toContain(type);
      const built = builder.build(type, SAMPLES[type] as PayloadOf<typeof type>, 9);
      expect(decodeTx(built.bytes).tx.type).toBe(type);
      const bad = { ...SAMPLES[type], ...change } as never;
      expect(
        codeOf(() => builder.build(type, bad, 9)),
        type,
      ).toBe("TX_PAYLOAD_INVALID");
    }
  });

  it("build the claims and provenance types, and refuse a broken rule of each's schema", () => {
    const builder = new TxBuilder(CHAIN, keySigner(admin.secretKey));
    const broken: { [T in TxTypeName]?: Record<string, unknown> } = {
      "plan.register": { currency: "XXX" },
      "plan.update": { id: "Gold" },
      "coverage.enroll": { member: new Uint8Array(31) },
      "coverage.end": { end: -1 },
      "claim.preauthorize": { items: [] },
      "claim.submit": { type: "dental" },
      "claim.pay": { amount: 0 },
      "claim.dispute": { reason: "annoyed" },
      "claim.resolve": { outcome: "reversed" },
      "claim.void": { claim: "ab" },
      "product.register": { ndc: "1234" },
      "pack.commission": { gtin: "9520123456788" },
      "case.pack": { sscc: "10614141123456789" },
      "case.unpack": { org: "" },
      "pack.ship": { cases: ["x"] },
      "pack.receive": { verified: [{ gtin: "09520123456788" }] },
      "pack.dispense": { packs: [] },
      "pack.decommission": { reason: "lost" },
      "lot.recall": { class: "IV" },
      "pack.suspect": { reason: "odd" },
      "pack.clear": { packs: [{ gtin: "09520123456788", serials: ["with space"] }] },
    };
    for (const [type, change] of Object.entries(broken) as [TxTypeName, object][]) {
      expect(TX_TYPE_NAMES).toContain(type);
      const built = builder.build(type, SAMPLES[type] as PayloadOf<typeof type>, 9);
      expect(decodeTx(built.bytes).tx.type).toBe(type);
      const bad = { ...SAMPLES[type], ...change } as never;
      expect(
        codeOf(() => builder.build(type, bad, 9)),
        type,
      ).toBe("TX_PAYLOAD_INVALID");
    }
  });

  it("give distinct ids to equal transactions through random nonces, and keep a given nonce", () => {
    const signer = keySigner(admin.secretKey);
    const options = { chainId: CHAIN, expires: 5 };
    const first = buildTx("identity.revoke", SAMPLES["identity.revoke"], signer, options);
    const second = buildTx("identity.revoke", SAMPLES["identity.revoke"], signer, options);
    expect(first.id).not.toEqual(second.id);
    const nonce = randomNonce();
    const pinned = { ...options, nonce };
    const third = buildTx("identity.revoke", SAMPLES["identity.revoke"], signer, pinned);
    const fourth = buildTx("identity.revoke", SAMPLES["identity.revoke"], signer, pinned);
    expect(third.id).toEqual(fourth.id);
    expect(third.tx.nonce).toEqual(nonce);
  });

  it("compute expiry within TX_TTL_MAX of the current height and refuse beyond it", () => {
    expect(expiresAfter(100)).toBeGreaterThan(100);
    expect(expiresAfter(100, TX_TTL_MAX)).toBe(100 + TX_TTL_MAX);
    expect(expiresAfter(0, 1)).toBe(1);
    expect(codeOf(() => expiresAfter(100, TX_TTL_MAX + 1))).toBe("TX_EXPIRY_TOO_FAR");
    expect(codeOf(() => expiresAfter(100, 0))).toBe("TX_EXPIRY_TOO_FAR");
    expect(() => expiresAfter(-1)).toThrow(RangeError);
  });
});
