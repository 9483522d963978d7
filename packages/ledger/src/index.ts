export type { ExecuteOptions, ExecutionEnvironment } from "./execution/environment.js";
export type { BuildRequest, BuiltBlock } from "./execution/execute.js";
export type { ExecutionResult } from "./execution/result.js";
export type { CheckedTx, RefusedTx } from "./execution/txChecks.js";
export { genesisHeader } from "./genesisState.js";
export {
  type HeadInfo,
  Ledger,
  type LedgerOptions,
  NODE_CACHE_ENTRIES_MAX,
  SNAPSHOT_INTERVAL_HEIGHTS,
} from "./ledger.js";
export type { ErasePhase } from "./local/erasure.js";
export {
  LOCAL_KEY_BYTES_MAX,
  LOCAL_SCAN_ENTRIES_MAX,
  LOCAL_VALUE_BYTES_MAX,
  type LocalScanOptions,
  type LocalSpace,
  LocalStore,
  type LocalStoreOptions,
} from "./local/localStore.js";
export {
  type ConsensusChange,
  effectiveHeight,
  type ScheduledChange,
} from "./modules/governance/consensusState.js";
export type { Proposal, ProposalStatus } from "./modules/governance/proposals.js";
export type { IdentityRecord } from "./modules/identity/state.js";
export {
  type CommittedTx,
  definePagedQuery,
  defineQuery,
  defineTxType,
  type IndexDefinition,
  type KeyValueReader,
  type LedgerModule,
  type ModuleLog,
  type ModuleServices,
  type ModuleWorker,
  type PageRequest,
  type Query,
  type QueryPage,
  type QueryReader,
  reject,
  type ScanOptions,
  scanPage,
  type TxContext,
  type TxType,
} from "./modules/module.js";
export {
  BUILTIN_CONTRACT,
  BUILTIN_MODULES,
  type LedgerContract,
  ModuleRegistry,
} from "./modules/registry.js";
export type { ProvenValue, StoredBlock, StoredTx } from "./reads.js";
export type { StateAccess } from "./state/blockState.js";
export type { StateRestore } from "./stateSnapshotRestore.js";
export {
  SNAPSHOTS_KEPT,
  type SnapshotChunk,
  type SnapshotOffer,
  StateSnapshots,
} from "./stateSnapshotServe.js";
export {
  type ExpectedSubtree,
  SNAPSHOT_CHUNK_BYTES_MAX,
  SNAPSHOT_CHUNK_KEYS_MAX,
  type SnapshotEntry,
} from "./stateSnapshotTree.js";
export { committedTxsOf } from "./storage/committedTx.js";
export {
  CONSENSUS_LOG_ENTRIES_MAX,
  CONSENSUS_LOG_KEY_CHARS_MAX,
  ConsensusLog,
} from "./storage/consensusLog.js";
export { PREFIX } from "./storage/layout.js";
