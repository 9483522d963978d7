import {
  decodeMessage,
  encodeMessage,
  type NewViewMessage,
  type PersistRecord,
  type PreparedCertificate,
} from "@careledger/consensus";
import {
  type Canonical,
  CareLedgerError,
  decode,
  decodeBlock,
  decodeHeader,
  encode,
  encodeBlock,
  encodeHeader,
} from "@careledger/protocol";

/**
 * The consensus log's records on disk. Keys sort by height, so everything at or below a
 * committed height can be found and pruned: `view`, `h/<height:15>/<kind>/<view:15>`.
 */
export function recordKey(record: PersistRecord): string {
  if (record.type === "view") return "view";
  return `h/${pad(record.height)}/${record.type}/${pad(record.view)}`;
}

/** The height a record key belongs to, or null for the view record. */
export function heightOfKey(key: string): number | null {
  const match = /^h\/(\d{15})\//.exec(key);
  return match === null ? null : Number(match[1]);
}

function pad(value: number): string {
  return value.toString().padStart(15, "0");
}

export function encodeRecord(record: PersistRecord): Uint8Array {
  switch (record.type) {
    case "view":
      return encode({
        type: "view",
        view: record.view,
        changing: record.changing,
        newView: record.newView === null ? null : encodeMessage(record.newView),
        entered: record.entered ?? record.view,
        votesAbove: record.votesAbove ?? 0,
      });
    case "prepare":
      return encode({
        type: "prepare",
        height: record.height,
        view: record.view,
        hash: record.hash,
        block: encodeBlock(record.block),
      });
    case "commit":
      return encode({
        type: "commit",
        height: record.height,
        view: record.view,
        hash: record.hash,
        certificate: preparedToCanonical(record.certificate),
      });
  }
}

/** Decodes a record this node wrote; a record that does not decode means a corrupt log. */
export function decodeRecord(bytes: Uint8Array): PersistRecord {
  const value = decode(bytes) as Record<string, Canonical>;
  switch (value.type) {
    case "view":
      return {
        type: "view",
        view: value.view as number,
        changing: value.changing as boolean,
        newView: newViewFromCanonical(value.newView),
        // Records of builds before rejoin.ts: no return below the view, no voting floor.
        entered: wholeOr(value.entered, value.view as number),
        votesAbove: wholeOr(value.votesAbove, 0),
      };
    case "prepare":
      return {
        type: "prepare",
        height: value.height as number,
        view: value.view as number,
        hash: value.hash as Uint8Array,
        block: decodeBlock(value.block as Uint8Array),
      };
    case "commit":
      return {
        type: "commit",
        height: value.height as number,
        view: value.view as number,
        hash: value.hash as Uint8Array,
        certificate: preparedFromCanonical(value.certificate as Record<string, Canonical>),
      };
    default:
      throw new CareLedgerError("INTERNAL", "consensus log holds an unknown record");
  }
}

function wholeOr(value: Canonical | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new CareLedgerError("INTERNAL", "consensus log: a view record's height is not whole");
  }
  return value;
}

function preparedToCanonical(certificate: PreparedCertificate): Canonical {
  return {
    height: certificate.height,
    view: certificate.view,
    hash: certificate.hash,
    header: encodeHeader(certificate.header),
    votes: certificate.votes.map((vote) => ({ validator: vote.validator, sig: vote.sig })),
  };
}

function preparedFromCanonical(value: Record<string, Canonical>): PreparedCertificate {
  return {
    height: value.height as number,
    view: value.view as number,
    hash: value.hash as Uint8Array,
    header: decodeHeader(value.header as Uint8Array),
    votes: (value.votes as Array<{ validator: number; sig: Uint8Array }>).map((vote) => ({
      validator: vote.validator,
      sig: vote.sig,
    })),
  };
}

/**
 * The new view of a view record, through the consensus message codec (bounded by its
 * MESSAGE_BYTES_MAX, checked field by field). Records written before new views were kept have
 * none: such a replica restarts as before, without a plan.
 */
function newViewFromCanonical(value: Canonical | undefined): NewViewMessage | null {
  if (value === undefined || value === null) return null;
  if (!(value instanceof Uint8Array)) {
    throw new CareLedgerError("INTERNAL", "consensus log: a view record's new view is not bytes");
  }
  const message = decodeMessage(value);
  if (message.kind !== "newview") {
    throw new CareLedgerError("INTERNAL", "consensus log: a view record holds another message");
  }
  return message;
}
