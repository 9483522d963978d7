import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BUILTIN_CONTRACT,
  BUILTIN_MODULES,
  defineTxType,
  type IndexDefinition,
  Ledger,
  type LedgerModule,
} from "@careledger/ledger";
import {
  type Block,
  generateSecretKey,
  keySigner,
  payloadChecker,
  type Receipt,
  type SignedTx,
  type Signer,
  signTx,
  type TxTypeContract,
} from "@careledger/protocol";
import { Type } from "@sinclair/typebox";
import { testGenesis } from "./genesis.testkit.js";
import { sodiumVerifier } from "./verifier.js";

/**
 * `notes.write`: an organization's node writes a note (`notes/<org>/<text>`), as a custodian
 * reports an erasure; only the organization's node may send it (the `orgNode` rule).
 */
export const NOTE_WRITE: TxTypeContract = {
  type: "notes.write",
  summary: "an organization's node writes a note (test only)",
  payload: payloadChecker(
    Type.Object(
      { org: Type.String({ maxLength: 64 }), text: Type.String({ maxLength: 64 }) },
      { additionalProperties: false },
    ),
  ),
  senders: [{ rule: "orgNode", orgField: "org" }],
  example: { org: "org-0", text: "hello" },
};

/** Notes by text, node-local: what a module's routes read through `head().index`. */
const BY_TEXT: IndexDefinition = {
  name: "byText",
  version: 1,
  feeds: ["notes.write"],
  entries: (committed) => {
    const { text } = committed.payload as { text: string };
    return [[text, committed.height]];
  },
};

/**
 * A test module with one transaction type, an index and (when given) a worker: what a module
 * with node-side work (the records custodian) looks like to the node.
 */
export function notesModule(worker?: LedgerModule["worker"]): LedgerModule {
  return {
    name: "notes",
    txTypes: [
      defineTxType(NOTE_WRITE, {
        async execute(ctx, payload) {
          const { org, text } = payload as { org: string; text: string };
          ctx.state.put(`notes/${org}/${text}`, ctx.height);
        },
      }),
    ],
    queries: [],
    indexes: [BY_TEXT],
    ...(worker !== undefined && { worker }),
  };
}

export interface TestChainLedger {
  readonly ledger: Ledger;
  readonly dir: string;
  /** Node keys of org-0 .. org-3 (validators), and their admins. */
  readonly nodes: readonly Signer[];
  readonly admins: readonly Signer[];
  /** Builds and commits the next block (a second after the head), as consensus would. */
  commit(txs: readonly SignedTx[]): Promise<{ block: Block; receipts: readonly Receipt[] }>;
  close(): Promise<void>;
}

/** A real ledger in a temporary directory running the built-in modules and `module`. */
export async function ledgerWith(module: LedgerModule): Promise<TestChainLedger> {
  const nodes = Array.from({ length: 4 }, () => keySigner(generateSecretKey()));
  const admins = Array.from({ length: 4 }, () => keySigner(generateSecretKey()));
  const dir = mkdtempSync(join(tmpdir(), "modules-"));
  const ledger = await Ledger.open(join(dir, "data"), testGenesis("modules", nodes, admins, 100), {
    verifier: sodiumVerifier,
    modules: [...BUILTIN_MODULES, module],
    contract: {
      txTypes: { ...BUILTIN_CONTRACT.txTypes, [NOTE_WRITE.type]: NOTE_WRITE },
      queries: BUILTIN_CONTRACT.queries,
    },
  });
  return {
    ledger,
    dir,
    nodes,
    admins,
    commit: async (txs) => {
      const head = ledger.head;
      const built = await ledger.buildBlock({
        height: head.height + 1,
        view: 0,
        proposer: (nodes[0] as Signer).publicKey,
        time: head.time + 1000,
        txs,
      });
      if (built.excluded.length > 0) throw new Error(`excluded: ${JSON.stringify(built.excluded)}`);
      await ledger.commit(built.block, null, built.result);
      return { block: built.block, receipts: built.result.receipts };
    },
    close: async () => {
      await ledger.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let nonce = 0;

/** A signed transaction valid for the next 100 heights. */
export function signedTx(ledger: Ledger, type: string, payload: object, by: Signer): SignedTx {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setUint32(4, ++nonce);
  return signTx(
    {
      v: 1,
      chain: ledger.chainId,
      type,
      nonce: bytes,
      expires: ledger.head.height + 100,
      payload: payload as never,
    },
    by,
  );
}
