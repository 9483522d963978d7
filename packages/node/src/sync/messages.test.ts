import {
  BLOCK_BYTES_MAX,
  type Block,
  encodeBlock,
  generateSecretKey,
  keySigner,
  type SignedTx,
  signTx,
  txRootOf,
  VALIDATORS_MAX,
} from "@careledger/protocol";
import { describe, expect, it } from "vitest";
import { CHANNELS } from "../p2p/channels.js";
import {
  decodeSyncMessage,
  encodeSyncMessage,
  SYNC_REPLY_BYTES_MAX,
  syncItemBytes,
} from "./messages.js";

const CHAIN = new Uint8Array(32).fill(1);
const TX_BLOB_BYTES = 60_000;

/** A block as close to BLOCK_BYTES_MAX as transactions of about 60 kB bring it. */
function largestBlock(): Block {
  const signer = keySigner(generateSecretKey());
  const tx = (nonce: number): SignedTx =>
    signTx(
      {
        v: 1,
        chain: CHAIN,
        type: "test.blob",
        nonce: new Uint8Array(8).fill(nonce & 0xff).map((byte, i) => (i === 0 ? nonce >> 8 : byte)),
        expires: 10,
        payload: { blob: new Uint8Array(TX_BLOB_BYTES) },
      },
      signer,
    );
  const txs: SignedTx[] = [];
  const hash = new Uint8Array(32);
  const header = {
    v: 1 as const,
    chain: CHAIN,
    height: 1,
    prevHash: hash,
    time: 1,
    proposer: signer.publicKey,
    view: 0,
    txRoot: hash,
    stateRoot: hash,
    receiptsRoot: hash,
    validatorsHash: hash,
    nextValidatorsHash: hash,
  };
  const sized = (count: number) => {
    const some = txs.slice(0, count);
    return encodeBlock({ header: { ...header, txRoot: txRootOf(some) }, txs: some }).byteLength;
  };
  // Every transaction has the same size: the most that fit follow from two measurements.
  for (let nonce = 0; nonce < 21; nonce++) txs.push(tx(nonce));
  const perTx = sized(21) - sized(20);
  const count = 20 + Math.floor((BLOCK_BYTES_MAX - sized(20)) / perTx);
  for (let nonce = 21; nonce < count; nonce++) txs.push(tx(nonce));
  return { header: { ...header, txRoot: txRootOf(txs) }, txs };
}

const fullCertificate = {
  height: 1,
  view: 0,
  blockHash: new Uint8Array(32),
  votes: Array.from({ length: VALIDATORS_MAX }, (_, validator) => ({
    validator,
    sig: new Uint8Array(64).fill(3),
  })),
};

describe("sync replies at their bound", () => {
  it("a reply of one block at BLOCK_BYTES_MAX with a full certificate fits the frame and decodes", () => {
    const block = largestBlock();
    expect(encodeBlock(block).byteLength).toBeGreaterThan(BLOCK_BYTES_MAX - 2 * TX_BLOB_BYTES);
    const bytes = encodeSyncMessage({
      kind: "blocks",
      head: 1,
      items: [{ block, certificate: fullCertificate }],
    });
    expect(bytes.byteLength).toBeLessThanOrEqual(CHANNELS.sync.messageBytesMax);
    expect(syncItemBytes(block)).toBeGreaterThanOrEqual(bytes.byteLength - 64);
    const decoded = decodeSyncMessage(bytes);
    expect(decoded.kind === "blocks" && decoded.items[0]?.block.txs.length).toBe(block.txs.length);
    // A second such block would pass the bound: the server sends it in the next reply.
    expect(2 * syncItemBytes(block)).toBeGreaterThan(SYNC_REPLY_BYTES_MAX);
  }, 60_000);

  it("a message one byte over the frame is refused", () => {
    expect(() => decodeSyncMessage(new Uint8Array(CHANNELS.sync.messageBytesMax + 1))).toThrow();
  });
});
