import {
  CareLedgerError,
  decodeTx,
  encode,
  encodeReceipt,
  generateSecretKey,
  type Header,
  keySigner,
  merkleProof,
  nobleVerifier,
  type SignedTx,
  signTx,
  toHex,
} from "@careledger/protocol";
import type { CallerIdentity, NodeApi, NodeEvent, NodeStatus } from "./nodeApi.js";

export const CHAIN = new Uint8Array(32).fill(9);

/**
 * A NodeApi over an in-memory list of admitted transactions: enough to drive every route and
 * error path of the HTTP layer in-process. The real node is exercised in test/ cluster tests.
 */
export interface MemoryNode extends NodeApi {
  admitted: SignedTx[];
  /** Keys registered on this pretend chain, for signed reads. */
  callers: Map<string, CallerIdentity>;
  /** Commits every admitted transaction in one new block and tells subscribers. */
  commitBlock(): void;
  setSyncing(syncing: boolean): void;
  setHalted(halted: boolean): void;
}

export function memoryNode(): MemoryNode {
  const admitted: SignedTx[] = [];
  const callers = new Map<string, CallerIdentity>();
  const bodies = new Map<number, SignedTx[]>();
  const blocks: NodeEvent[][] = [[]];
  const listeners = new Set<(event: NodeEvent) => void>();
  let status: NodeStatus = {
    chainId: CHAIN,
    nodeKey: new Uint8Array(32).fill(1),
    height: 0,
    headHash: new Uint8Array(32),
    stateRoot: new Uint8Array(32),
    view: 0,
    primary: new Uint8Array(32).fill(1),
    validators: [new Uint8Array(32).fill(1)],
    peers: 0,
    syncing: false,
    halted: false,
  };
  return {
    admitted,
    callers,
    setSyncing(syncing) {
      status = { ...status, syncing };
    },
    setHalted(halted) {
      status = { ...status, halted };
    },
    commitBlock() {
      const height = blocks.length;
      const events: NodeEvent[] = [
        {
          type: "block",
          height,
          hash: new Uint8Array(32).fill(height),
          time: height,
          txCount: admitted.length,
        },
        ...admitted.map(
          (signed, index): NodeEvent => ({
            type: "tx",
            height,
            index,
            id: signed.id,
            txType: signed.tx.type,
            from: signed.tx.from,
            receipt: { ok: true },
          }),
        ),
      ];
      bodies.set(height, [...admitted]);
      admitted.length = 0;
      blocks.push(events);
      status = { ...status, height };
      for (const event of events) for (const listener of listeners) listener(event);
    },
    eventsOfBlock: async (height) => blocks[height] ?? [],
    proveState: async (key) => ({
      height: status.height,
      value: key === "present" ? encode("value") : null,
      proof: { siblings: [new Uint8Array(32).fill(7)], leaf: null },
    }),
    txProof: async (id) => {
      for (const [height, events] of blocks.entries()) {
        const ids = events.flatMap((event) => (event.type === "tx" ? [event.id] : []));
        const index = ids.findIndex((each) => toHex(each) === toHex(id));
        if (index >= 0) return { height, proof: merkleProof(ids, index) };
      }
      return null;
    },
    receiptProof: async (id) => {
      for (const [height, events] of blocks.entries()) {
        const ids = events.flatMap((event) => (event.type === "tx" ? [event.id] : []));
        const index = ids.findIndex((each) => toHex(each) === toHex(id));
        if (index < 0) continue;
        const leaves = ids.map((tx) => encodeReceipt({ tx, status: "ok" }));
        return { height, receipt: leaves[index] as Uint8Array, proof: merkleProof(leaves, index) };
      }
      return null;
    },
    queryNames: () => ["identity.key"],
    query: async (name, params, _caller) => {
      if (name !== "identity.key") throw new CareLedgerError("NOT_FOUND", `no query ${name}`);
      return { key: params.key ?? null, big: 2n ** 60n, raw: Uint8Array.of(1, 2) };
    },
    identityOf: async (keyHex) => callers.get(keyHex) ?? null,
    verifier: nobleVerifier,
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    status: () => status,
    blockAt: async (height) => {
      const txs = bodies.get(height);
      if (txs === undefined) return null;
      const header: Header = {
        v: 1,
        chain: CHAIN,
        height,
        prevHash: new Uint8Array(32),
        time: height,
        proposer: new Uint8Array(32).fill(1),
        view: 0,
        txRoot: new Uint8Array(32),
        stateRoot: new Uint8Array(32),
        receiptsRoot: new Uint8Array(32),
        validatorsHash: new Uint8Array(32),
        nextValidatorsHash: new Uint8Array(32),
      };
      return { hash: new Uint8Array(32).fill(height), block: { header, txs }, certificate: null };
    },
    submitTx: async (bytes) => {
      const signed = decodeTx(bytes);
      if (admitted.some((tx) => toHex(tx.id) === toHex(signed.id))) {
        throw new CareLedgerError("TX_DUPLICATE");
      }
      admitted.push(signed);
      return signed.id;
    },
    txById: async (id) =>
      admitted.some((tx) => toHex(tx.id) === toHex(id))
        ? { status: "pending" }
        : { status: "unknown" },
    metrics: async () => "careledger_height 0\n",
  };
}

export function sampleTx(): SignedTx {
  return signTx(
    {
      v: 1,
      chain: CHAIN,
      type: "identity.register",
      nonce: new Uint8Array(8).fill(3),
      expires: 100,
      payload: { key: new Uint8Array(32) },
    },
    keySigner(generateSecretKey()),
  );
}
