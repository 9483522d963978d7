import { senderRefusal } from "../modules/identity/state.js";
import type { StateAccess } from "../state/blockState.js";
import type { CheckedTx, RefusedTx } from "./txChecks.js";

/**
 * The block-validity rule on senders (ARCHITECTURE.md): a transaction from a key that is neither
 * a registered, unrevoked identity, an organization admin nor a member's node key makes the block
 * invalid, so unknown
 * keys cannot fill blocks with failed receipts. Judged on the state the block executes on (its
 * parent's, with the changes due at its height): a key registered in a block sends from the next.
 */
export async function screenSenders(
  state: StateAccess,
  txs: readonly CheckedTx[],
): Promise<{ accepted: CheckedTx[]; refused: RefusedTx[] }> {
  const accepted: CheckedTx[] = [];
  const refused: RefusedTx[] = [];
  const verdicts = new Map<string, Awaited<ReturnType<typeof senderRefusal>>>();
  for (const checked of txs) {
    let verdict = verdicts.get(checked.sender);
    if (verdict === undefined) {
      verdict = await senderRefusal(state, checked.sender);
      verdicts.set(checked.sender, verdict);
    }
    if (verdict === null) accepted.push(checked);
    else refused.push({ index: checked.index, ...verdict });
  }
  return { accepted, refused };
}
