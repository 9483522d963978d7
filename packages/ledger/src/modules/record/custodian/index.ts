/**
 * The records custodian (README "Records custodian"): the record module's routes (upload, read)
 * and worker (erase, then report, after a forget). The record module's index.ts mounts them.
 */
export { ContentStore } from "./contentStore.js";
export { recordRoutes } from "./routes.js";
export {
  ACCESS_WINDOW_MS_DEFAULT,
  CONTENT_BYTES_MAX_DEFAULT,
  CUSTODIAN_DEFAULTS,
  type CustodianSettings,
  custodianSettings,
} from "./settings.js";
export { type CustodianLog, type RecordWorkerOptions, recordWorker } from "./worker.js";
