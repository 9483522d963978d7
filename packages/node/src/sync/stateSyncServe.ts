import type { Ledger } from "@careledger/ledger";
import { CHANNELS } from "../p2p/channels.js";
import { encodeStateSyncMessage, type StateSyncMessage } from "./stateSyncMessages.js";

/**
 * Answers a peer's state-sync request from the ledger's checkpoint snapshots: the newest offer,
 * or a chunk. A malformed path throws SNAPSHOT_CHUNK_INVALID (the caller scores the peer). An
 * offer too large for the channel's frame (a block with very large receipts) is not offered.
 */
export async function serveStateSync(
  ledger: Ledger,
  message: StateSyncMessage,
  reply: (bytes: Uint8Array) => void,
): Promise<void> {
  if (message.kind === "offerRequest") {
    const offer = await ledger.snapshots.newestOffer();
    const bytes = offer === null ? null : encodeStateSyncMessage({ kind: "offer", offer });
    const fits = bytes !== null && bytes.byteLength <= CHANNELS.snapshot.messageBytesMax;
    reply(fits ? bytes : encodeStateSyncMessage({ kind: "noOffer" }));
  } else if (message.kind === "chunkRequest") {
    const chunk = await ledger.snapshots.chunk(message.height, message.path);
    reply(
      encodeStateSyncMessage({ kind: "chunk", height: message.height, path: message.path, chunk }),
    );
  }
}
