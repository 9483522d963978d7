import type { Block, Receipt, SignedTx } from "@careledger/protocol";
import { hexOf } from "../hex.js";
import type { CommittedTx } from "../modules/module.js";

/**
 * A committed transaction as the index functions and module workers see it. The sender's hex is made only when an
 * index reads it: this runs for every transaction of a fed type at every commit.
 */
export class Committed implements CommittedTx {
  readonly id: Uint8Array;
  readonly type: string;
  readonly payload: unknown;
  private senderHex: string | undefined;

  constructor(
    readonly height: number,
    readonly index: number,
    readonly time: number,
    private readonly signed: SignedTx,
    readonly receipt: Receipt,
  ) {
    this.id = signed.id;
    this.type = signed.tx.type;
    this.payload = signed.tx.payload;
  }

  get sender(): string {
    if (this.senderHex === undefined) this.senderHex = hexOf(this.signed.tx.from);
    return this.senderHex;
  }
}

/**
 * A committed block's transactions of the types `wanted` accepts, with their receipts, in
 * block order: what a module's worker is told of after each commit.
 */
export function committedTxsOf(
  block: Block,
  receipts: readonly Receipt[],
  wanted: (type: string) => boolean,
): CommittedTx[] {
  const { header } = block;
  const out: CommittedTx[] = [];
  for (let index = 0; index < block.txs.length; index++) {
    const signed = block.txs[index] as SignedTx;
    const receipt = receipts[index];
    if (!wanted(signed.tx.type)) continue;
    if (receipt === undefined) throw new Error(`block ${header.height} misses receipt ${index}`);
    out.push(new Committed(header.height, index, header.time, signed, receipt));
  }
  return out;
}
