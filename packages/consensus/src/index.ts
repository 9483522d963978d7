export {
  BLOCK_FRAME_BYTES_MAX,
  BODY_BYTES_BUDGET,
  TX_FRAME_BYTES,
  VIEW_CHANGE_PROOFS_BYTES_MAX,
} from "./bodyBudget.js";
export { decodeMessage, encodeMessage, MESSAGE_BYTES_MAX, PREPARED_ENTRIES_MAX } from "./codec.js";
export { messageSigningBytes, signMessage, verifyMessage } from "./messages.js";
export { type NewViewPlan, planNewView } from "./newView.js";
export { Replica, type ValidatorChange } from "./replica.js";
export { logBound } from "./state.js";
export type * from "./types.js";
export { activationHeight, ValidatorSchedule } from "./validatorSet.js";
