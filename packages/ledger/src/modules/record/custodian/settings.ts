import { LOCAL_VALUE_BYTES_MAX } from "../../../local/localStore.js";
import { BLOB_OVERHEAD_BYTES } from "./contentStore.js";

/** Largest record content a custodian takes by default: a discharge letter, a lab panel, a PDF. */
export const CONTENT_BYTES_MAX_DEFAULT = 4 * 1024 * 1024;
/** How long after its commit an `access.log` still opens the content, by default. */
export const ACCESS_WINDOW_MS_DEFAULT = 10 * 60 * 1000;
/**
 * The largest content the store can hold at all: its ciphertext (content plus nonce and tag)
 * must fit one LocalStore value.
 */
export const CONTENT_BYTES_MAX_LIMIT = LOCAL_VALUE_BYTES_MAX - BLOB_OVERHEAD_BYTES;
/** The longest access window a node may configure: a day, so an old access never opens content. */
export const ACCESS_WINDOW_MS_LIMIT = 24 * 60 * 60 * 1000;

/**
 * What a node operator may tune about its custodian (the node config's `modules.record`
 * section, once ModuleServices carries it). The API's own body bound still applies to uploads.
 */
export interface CustodianSettings {
  /** Largest content accepted by an upload, in bytes: RECORD_TOO_LARGE past it. */
  readonly contentBytesMax: number;
  /** How long an `access.log` opens content after its block's time, in ms: ACCESS_EXPIRED after. */
  readonly accessWindowMs: number;
}

export const CUSTODIAN_DEFAULTS: CustodianSettings = {
  contentBytesMax: CONTENT_BYTES_MAX_DEFAULT,
  accessWindowMs: ACCESS_WINDOW_MS_DEFAULT,
};

/**
 * Settings from a config section (unknown input): each field absent takes its default, each
 * given one must be an integer in its range, or this throws naming it, so a node with a bad
 * setting never starts.
 */
export function custodianSettings(raw: unknown = {}): CustodianSettings {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new RangeError("custodian settings must be an object");
  }
  const given = raw as Record<string, unknown>;
  for (const name of Object.keys(given)) {
    if (!(name in CUSTODIAN_DEFAULTS)) throw new RangeError(`unknown custodian setting ${name}`);
  }
  return {
    contentBytesMax: bounded(given, "contentBytesMax", CONTENT_BYTES_MAX_LIMIT),
    accessWindowMs: bounded(given, "accessWindowMs", ACCESS_WINDOW_MS_LIMIT),
  };
}

function bounded(given: Record<string, unknown>, name: keyof CustodianSettings, max: number) {
  const value = given[name] ?? CUSTODIAN_DEFAULTS[name];
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new RangeError(`custodian setting ${name} must be an integer in 1..${max}`);
  }
  return value;
}
