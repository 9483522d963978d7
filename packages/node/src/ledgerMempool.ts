import type { Ledger } from "@careledger/ledger";
import { CareLedgerError, type SignedTx } from "@careledger/protocol";
import type { NodeConfig } from "./config.js";
import { Mempool } from "./mempool.js";
import { sodiumVerifier } from "./verifier.js";

/**
 * The node's mempool over its ledger: the chain, expiry, payload, duplicate and sender checks
 * read the committed state, signatures go through libsodium, and the bounds are the config's.
 */
export function ledgerMempool(
  ledger: Ledger,
  config: Pick<NodeConfig, "mempoolTxsMax" | "mempoolBytesMax">,
  catchingUp: () => boolean,
): Mempool {
  return new Mempool(
    {
      chainId: ledger.chainId,
      nextHeight: () => ledger.head.height + 1,
      catchingUp,
      isCommitted: (signed) => isCommitted(ledger, signed),
      checkPayload: (signed) => checkPayload(ledger, signed),
      checkSender: (signed) => ledger.checkSender(signed),
    },
    sodiumVerifier,
    { txsMax: config.mempoolTxsMax, bytesMax: config.mempoolBytesMax },
  );
}

function checkPayload(ledger: Ledger, signed: SignedTx): void {
  const handler = ledger.registry.txType(signed.tx.type);
  if (handler === undefined)
    throw new CareLedgerError("TX_UNKNOWN_TYPE", `no module handles ${signed.tx.type}`);
  try {
    handler.contract.payload.check(signed.tx.payload);
  } catch (error) {
    if (error instanceof CareLedgerError) throw error;
    throw new CareLedgerError(
      "TX_PAYLOAD_INVALID",
      error instanceof Error ? error.message : String(error),
    );
  }
}

/** Whether a committed block holds the transaction: the ledger answers recent ids from memory. */
async function isCommitted(ledger: Ledger, signed: SignedTx): Promise<boolean> {
  try {
    await ledger.checkAdmission(signed);
    return false;
  } catch (error) {
    if (error instanceof CareLedgerError && error.code === "TX_DUPLICATE") return true;
    throw error;
  }
}
