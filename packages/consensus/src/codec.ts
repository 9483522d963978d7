import {
  type Block,
  type Canonical,
  CareLedgerError,
  type CommitCertificate,
  DEFAULT_DECODE_LIMITS,
  decode,
  decodeBlock,
  decodeHeader,
  encode,
  encodeBlock,
  encodeHeader,
  HASH_BYTES,
  type KnownTxs,
  PUBLIC_KEY_BYTES,
  SIGNATURE_BYTES,
  VALIDATORS_MAX,
} from "@careledger/protocol";
import type { ConsensusMessage, PreparedCertificate, ViewChangeMessage, Vote } from "./types.js";

/** Largest encoded consensus message. A view change may carry up to a window of blocks. */
export const MESSAGE_BYTES_MAX = 64 * 1024 * 1024;
/** Most prepared certificates (and blocks) in one view change: the largest window. */
export const PREPARED_ENTRIES_MAX = 64;
const HEIGHT_MAX = Number.MAX_SAFE_INTEGER;

type Fields = { readonly [key: string]: Canonical };

/** Canonical bytes of a message, as it travels between replicas. */
export function encodeMessage(message: ConsensusMessage): Uint8Array {
  return encode(toWire(message));
}

function toWire(message: ConsensusMessage): Fields {
  const signed = { k: message.kind, f: message.from, s: message.sig };
  switch (message.kind) {
    case "preprepare":
      return {
        ...signed,
        h: message.height,
        v: message.view,
        d: message.hash,
        b: encodeBlock(message.block),
      };
    case "prepare":
    case "commit":
      return { ...signed, h: message.height, v: message.view, d: message.hash };
    case "checkpoint":
      return { ...signed, h: message.height, d: message.hash };
    case "viewchange":
      return {
        ...signed,
        v: message.view,
        h: message.committedHeight,
        d: message.committedHash,
        c: message.certificate === null ? null : certificateToWire(message.certificate),
        p: message.prepared.map(preparedToWire),
        b: message.blocks.map(encodeBlock),
      };
    case "newview":
      return { ...signed, v: message.view, c: message.viewChanges.map(encodeMessage) };
  }
}

function certificateToWire(certificate: CommitCertificate): Fields {
  return {
    h: certificate.height,
    v: certificate.view,
    d: certificate.blockHash,
    q: certificate.votes.map((vote) => [vote.validator, vote.sig]),
  };
}

function preparedToWire(entry: PreparedCertificate): Fields {
  return {
    h: entry.height,
    v: entry.view,
    d: entry.hash,
    r: encodeHeader(entry.header),
    q: entry.votes.map((vote) => [vote.validator, vote.sig]),
  };
}

/**
 * Decodes a message from untrusted bytes: bounded, canonical, every field of the right type and
 * size, blocks and headers checked by the protocol's decoders. Throws `ENCODING_INVALID`.
 * Signatures are not checked here; the replica does that. `known` lets blocks reuse transactions
 * the caller has decoded already (protocol `KnownTxs`).
 */
export function decodeMessage(bytes: Uint8Array, known?: KnownTxs): ConsensusMessage {
  const value = decode(bytes, { ...DEFAULT_DECODE_LIMITS, bytesMax: MESSAGE_BYTES_MAX });
  try {
    return fromWire(value, known);
  } catch (error) {
    if (error instanceof CareLedgerError && error.code === "ENCODING_INVALID") throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new CareLedgerError("ENCODING_INVALID", `consensus message: ${reason}`);
  }
}

function fromWire(value: Canonical, known: KnownTxs | undefined): ConsensusMessage {
  const fields = record(value);
  const kind = fields.k;
  const from = bytes(fields.f, PUBLIC_KEY_BYTES);
  const sig = bytes(fields.s, SIGNATURE_BYTES);
  switch (kind) {
    case "preprepare": {
      exactKeys(fields, ["b", "d", "f", "h", "k", "s", "v"]);
      const block: Block = decodeBlock(bytes(fields.b), known);
      return {
        kind,
        from,
        sig,
        height: int(fields.h),
        view: int(fields.v),
        hash: hash(fields.d),
        block,
      };
    }
    case "prepare":
    case "commit":
      exactKeys(fields, ["d", "f", "h", "k", "s", "v"]);
      return { kind, from, sig, height: int(fields.h), view: int(fields.v), hash: hash(fields.d) };
    case "checkpoint":
      exactKeys(fields, ["d", "f", "h", "k", "s"]);
      return { kind, from, sig, height: int(fields.h), hash: hash(fields.d) };
    case "viewchange":
      return viewChangeFromWire(fields, from, sig, known);
    case "newview": {
      exactKeys(fields, ["c", "f", "k", "s", "v"]);
      const viewChanges = list(fields.c, VALIDATORS_MAX).map((item) => {
        const change = decodeMessage(bytes(item));
        if (change.kind !== "viewchange" || change.blocks.length > 0) {
          throw new CareLedgerError("ENCODING_INVALID", "new view holds a bodiless view change");
        }
        return change;
      });
      return { kind, from, sig, view: int(fields.v), viewChanges };
    }
    default:
      throw new CareLedgerError("ENCODING_INVALID", "unknown message kind");
  }
}

function viewChangeFromWire(
  fields: Fields,
  from: Uint8Array,
  sig: Uint8Array,
  known: KnownTxs | undefined,
): ViewChangeMessage {
  exactKeys(fields, ["b", "c", "d", "f", "h", "k", "p", "s", "v"]);
  return {
    kind: "viewchange",
    from,
    sig,
    view: int(fields.v),
    committedHeight: int(fields.h),
    committedHash: hash(fields.d),
    certificate: fields.c === null ? null : certificateFromWire(fields.c),
    prepared: list(fields.p, PREPARED_ENTRIES_MAX).map(preparedFromWire),
    blocks: list(fields.b, PREPARED_ENTRIES_MAX).map((item) => decodeBlock(bytes(item), known)),
  };
}

function certificateFromWire(value: Canonical | undefined): CommitCertificate {
  const fields = record(value);
  exactKeys(fields, ["d", "h", "q", "v"]);
  return {
    height: int(fields.h),
    view: int(fields.v),
    blockHash: hash(fields.d),
    votes: votes(fields.q),
  };
}

function preparedFromWire(value: Canonical): PreparedCertificate {
  const fields = record(value);
  exactKeys(fields, ["d", "h", "q", "r", "v"]);
  return {
    height: int(fields.h),
    view: int(fields.v),
    hash: hash(fields.d),
    header: decodeHeader(bytes(fields.r)),
    votes: votes(fields.q),
  };
}

function votes(value: Canonical | undefined): Vote[] {
  return list(value, VALIDATORS_MAX).map((item) => {
    const pair = list(item, 2);
    if (pair.length !== 2) throw new CareLedgerError("ENCODING_INVALID", "vote is a pair");
    const validator = int(pair[0]);
    if (validator >= VALIDATORS_MAX) throw new CareLedgerError("ENCODING_INVALID", "vote index");
    return { validator, sig: bytes(pair[1], SIGNATURE_BYTES) };
  });
}

function record(value: Canonical | undefined): Fields {
  if (
    typeof value !== "object" ||
    value === null ||
    Array.isArray(value) ||
    value instanceof Uint8Array
  ) {
    throw new CareLedgerError("ENCODING_INVALID", "expected a map");
  }
  return value as Fields;
}

function exactKeys(fields: Fields, keys: readonly string[]): void {
  const actual = Object.keys(fields).sort();
  if (actual.length !== keys.length || actual.some((key, index) => key !== keys[index])) {
    throw new CareLedgerError("ENCODING_INVALID", `expected fields ${keys.join(",")}`);
  }
}

function list(value: Canonical | undefined, itemsMax: number): readonly Canonical[] {
  if (!Array.isArray(value)) throw new CareLedgerError("ENCODING_INVALID", "expected a list");
  const items = value as readonly Canonical[];
  if (items.length > itemsMax) throw new CareLedgerError("ENCODING_INVALID", "list too long");
  return items;
}

function int(value: Canonical | undefined): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > HEIGHT_MAX) {
    throw new CareLedgerError("ENCODING_INVALID", "expected a non-negative integer");
  }
  return value;
}

function bytes(value: Canonical | undefined, length?: number): Uint8Array {
  if (!(value instanceof Uint8Array))
    throw new CareLedgerError("ENCODING_INVALID", "expected bytes");
  if (length !== undefined && value.byteLength !== length) {
    throw new CareLedgerError("ENCODING_INVALID", `expected ${length} bytes`);
  }
  return value;
}

function hash(value: Canonical | undefined): Uint8Array {
  return bytes(value, HASH_BYTES);
}
