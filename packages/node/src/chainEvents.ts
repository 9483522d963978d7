import { canonicalToJson, type NodeEvent, type ReceiptView } from "@careledger/api";
import { type Block, blockHash, type Canonical, type Receipt } from "@careledger/protocol";

/** Listeners of committed events one node keeps at once. */
export const EVENT_LISTENERS_MAX = 1_024;

export function receiptView(receipt: Receipt): ReceiptView {
  if (receipt.status !== "ok") return { ok: false, code: receipt.code, reason: receipt.reason };
  return {
    ok: true,
    ...(receipt.result === undefined
      ? {}
      : { result: canonicalToJson(receipt.result as Canonical) }),
    ...(receipt.events === undefined
      ? {}
      : {
          events: receipt.events.map((event) => ({
            type: event.type,
            // Attributes are flat text, safe integers, booleans and bytes: JSON keeps them (hex).
            attributes: canonicalToJson(event.attributes) as Record<
              string,
              string | number | boolean
            >,
          })),
        }),
  };
}

/** The events of a committed block: the block, then each transaction with its receipt. */
export function eventsOf(block: Block, receipts: readonly Receipt[]): NodeEvent[] {
  const { header } = block;
  const events: NodeEvent[] = [
    {
      type: "block",
      height: header.height,
      hash: blockHash(header),
      time: header.time,
      txCount: block.txs.length,
    },
  ];
  block.txs.forEach((signed, index) => {
    const receipt = receipts[index];
    if (receipt === undefined) return;
    events.push({
      type: "tx",
      height: header.height,
      index,
      id: signed.id,
      txType: signed.tx.type,
      from: signed.tx.from,
      receipt: receiptView(receipt),
    });
  });
  return events;
}

/** Fans committed events out to API subscribers; a listener that throws is dropped. */
export class ChainEvents {
  private readonly listeners = new Set<(event: NodeEvent) => void>();

  subscribe(listener: (event: NodeEvent) => void): () => void {
    if (this.listeners.size >= EVENT_LISTENERS_MAX) throw new Error("too many event listeners");
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(events: readonly NodeEvent[]): void {
    for (const listener of this.listeners) {
      try {
        for (const event of events) listener(event);
      } catch {
        this.listeners.delete(listener);
      }
    }
  }
}
