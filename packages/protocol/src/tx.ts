import { type Static, Type } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { type Canonical, DEFAULT_DECODE_LIMITS, decode, decodeOwn, encode } from "./encoding.js";
import { CareLedgerError } from "./errors.js";
import { HASH_BYTES, sha256 } from "./hash.js";
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES, type Signer, type Verifier } from "./keys.js";
import { TX_BYTES_MAX, TX_TYPE_CHARS_MAX } from "./limits.js";
import { sealedSigningBytes } from "./sealedSigning.js";
import { signingBytes } from "./signing.js";

export const TX_VERSION = 1;
export const NONCE_BYTES = 8;

const bytes = (length: number) => Type.Uint8Array({ minByteLength: length, maxByteLength: length });

/** The schema of a transaction; its TypeScript type is derived from it. */
export const TxSchema = Type.Object(
  {
    v: Type.Literal(TX_VERSION),
    chain: bytes(HASH_BYTES),
    type: Type.String({
      pattern: "^[a-z][a-z0-9]*(\\.[a-z][a-zA-Z0-9]*)+$",
      maxLength: TX_TYPE_CHARS_MAX,
    }),
    from: bytes(PUBLIC_KEY_BYTES),
    nonce: bytes(NONCE_BYTES),
    expires: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    payload: Type.Unknown(),
    sig: bytes(SIGNATURE_BYTES),
  },
  { additionalProperties: false },
);

export type Tx = Static<typeof TxSchema> & { payload: Canonical };
export type UnsignedTx = Omit<Tx, "sig">;

const txCheck = TypeCompiler.Compile(TxSchema);

/** A transaction with its canonical bytes and id, so neither is computed twice. */
export interface SignedTx {
  readonly tx: Tx;
  readonly bytes: Uint8Array;
  readonly id: Uint8Array;
}

export function txSigningBytes(unsigned: UnsignedTx): Uint8Array {
  const { v, chain, type, from, nonce, expires, payload } = unsigned;
  return signingBytes("tx", chain, { v, chain, type, from, nonce, expires, payload });
}

export function signTx(unsigned: Omit<UnsignedTx, "from">, signer: Signer): SignedTx {
  const body: UnsignedTx = { ...unsigned, from: signer.publicKey };
  const tx: Tx = { ...body, sig: signer.sign(txSigningBytes(body)) };
  return sealTx(tx);
}

/** Encodes a transaction (checking it against the schema) and computes its id. */
export function sealTx(tx: Tx): SignedTx {
  assertTxShape(tx);
  const bytes = encode(tx as unknown as Canonical);
  if (bytes.byteLength > TX_BYTES_MAX) {
    throw new CareLedgerError("TX_TOO_LARGE", `${bytes.byteLength} bytes`, {
      bytesMax: TX_BYTES_MAX,
    });
  }
  return { tx, bytes, id: sha256(bytes) };
}

/** A transaction's id: the SHA-256 of its canonical signed encoding. */
export function txId(tx: Tx): Uint8Array {
  return sealTx(tx).id;
}

/**
 * Decodes a transaction from untrusted bytes: bounded, canonical, and of the schema's shape.
 * The signature is not checked here (see verifyTx), so that callers can batch that cost.
 */
export function decodeTx(bytes: Uint8Array, id?: Uint8Array): SignedTx {
  if (bytes.byteLength > TX_BYTES_MAX) {
    throw new CareLedgerError("TX_TOO_LARGE", `${bytes.byteLength} bytes`, {
      bytesMax: TX_BYTES_MAX,
    });
  }
  let value: Canonical;
  try {
    value = decode(bytes, { ...DEFAULT_DECODE_LIMITS, bytesMax: TX_BYTES_MAX });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CareLedgerError("TX_MALFORMED", reason);
  }
  assertTxShape(value);
  // A caller that already hashed these bytes (a block computing its tx root) passes the id.
  return { tx: value, bytes: bytes.slice(), id: id ?? sha256(bytes) };
}

/**
 * A transaction from bytes this node stored after `decodeTx` accepted them or `sealTx` made them
 * (its committed blocks, read back), with the id stored beside them: no scan, no re-encoding and
 * no hash, which `decodeTx` needs only against bytes another party wrote. The schema is still
 * checked (a cheap assertion that the stored bytes are a transaction). Never for bytes from a
 * peer, a client or a file: `decodeTx`.
 */
export function decodeOwnTx(bytes: Uint8Array, id: Uint8Array): SignedTx {
  const value = decodeOwn(bytes);
  assertTxShape(value);
  return { tx: value, bytes, id };
}

export function verifyTx(tx: Tx, verifier: Verifier): boolean {
  return verifier.verify(tx.from, txSigningBytes(tx), tx.sig);
}

/**
 * `verifyTx` for a sealed or decoded transaction, whose `bytes` are its `tx`'s canonical
 * encoding (every SignedTx that `sealTx` and `decodeTx` make): the signing bytes are cut from
 * those bytes (sealedSigning.ts) instead of being encoded again.
 */
export function verifySignedTx(signed: SignedTx, verifier: Verifier): boolean {
  const message = sealedSigningBytes(signed) ?? txSigningBytes(signed.tx);
  return verifier.verify(signed.tx.from, message, signed.tx.sig);
}

function assertTxShape(value: unknown): asserts value is Tx {
  if (!txCheck.Check(value)) {
    const first = txCheck.Errors(value).First();
    const where = first ? `${first.path || "/"}: ${first.message}` : "shape";
    throw new CareLedgerError("TX_MALFORMED", where);
  }
}
