import { CareLedgerError, decode, encode } from "@careledger/protocol";
import type { Database } from "./database.js";
import { formatKey } from "./layout.js";

/**
 * The version of what a data directory holds: its key layout and the execution rules its state
 * and receipts were computed by. Raise it when the same blocks would give another stateRoot or
 * receiptsRoot, or the layout changes: a directory of another format would otherwise open and
 * then diverge from its peers without a word.
 *
 *   (none) the chain before module namespaces: state keys outside their modules' namespaces, and
 *          handlers judging their senders themselves
 *   2      module key namespaces, sender rules run before the handler, receipts with results
 *   3      the node-key index `identity/node/<hex>` (genesis state and every organization write)
 *          and member organizations' node keys admitted as senders
 */
export const STORAGE_FORMAT = 3;

/** The format marker a new database is written with (in the genesis batch). */
export const storageFormatBytes = (): Uint8Array => encode(STORAGE_FORMAT);

/**
 * Refuses a database written in another storage format (none recorded: the format before
 * markers). There is no migration: the blocks are the truth, and replaying them from genesis
 * under this version's rules is what gives the roots the consortium agrees on.
 */
export async function checkStorageFormat(db: Database, dir: string): Promise<void> {
  const stored = await db.get(formatKey);
  const format = stored === undefined ? null : decode(stored);
  if (format === STORAGE_FORMAT) return;
  const found = format === null ? "an older format without a marker" : `format ${String(format)}`;
  throw new CareLedgerError(
    "STORAGE_FORMAT_MISMATCH",
    `the data directory ${dir} was written in ${found}; this node reads format ` +
      `${STORAGE_FORMAT} only. Move the data directory away and start the node again: it ` +
      "re-syncs from genesis (without --unsafe-reset-votes, its consensus log being gone with it)",
  );
}
