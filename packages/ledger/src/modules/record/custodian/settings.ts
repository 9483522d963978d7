import { LOCAL_VALUE_BYTES_MAX } from "../../../local/localStore.js";
import { BLOB_OVERHEAD_BYTES } from "./contentStore.js";

/** Largest record content a custodian takes by default: a discharge letter, a lab panel, a PDF. */
export const CONTENT_BYTES_MAX_DEFAULT = 4 * 1024 * 1024;
/** How long after its commit an `access.log` still opens the content, by default. */
export const ACCESS_WINDOW_MS_DEFAULT = 10 * 60 * 1000;
/**
 * The largest content the store can hold at all: its ciphertext (content plus nonce and tag)
 * must fit one LocalStore value. The API's body bound (node config `apiBodyBytesMax`, 8 MiB by
 * default) is not known here: a route bound above it stops the node at start (README "Settings").
 */
export const CONTENT_BYTES_MAX_LIMIT = LOCAL_VALUE_BYTES_MAX - BLOB_OVERHEAD_BYTES;
/**
 * The longest access window a node may configure: an hour. A read re-runs the decision at the
 * head, so a revocation stops it at once; the window only bounds how long one logged access
 * keeps serving a reader who still holds the consent, and an hour covers a consultation.
 */
export const ACCESS_WINDOW_MS_LIMIT = 60 * 60 * 1000;
/**
 * How far behind the wall clock the head may be when a read is judged, by default: past it the
 * node may have missed a revocation or a forget (NODE_BEHIND). A reader's access.log committed
 * just before it reads, so a live node's head is seconds old; a minute leaves room for clock
 * skew and a slow commit.
 */
export const HEAD_AGE_MS_MAX_DEFAULT = 60 * 1000;
/** The largest head age a node may accept: an hour, the chain's largest empty-block interval. */
export const HEAD_AGE_MS_MAX_LIMIT = 60 * 60 * 1000;
/** How long (head time) an upload may wait for its anchor before the worker erases it. */
export const PENDING_TTL_MS_DEFAULT = 60 * 60 * 1000;
/** The longest TTL: a day, so content nobody anchored does not stay. */
export const PENDING_TTL_MS_LIMIT = 24 * 60 * 60 * 1000;
/** Uploads one key may have waiting for their anchor at once, by default (UPLOAD_QUOTA past). */
export const PENDING_UPLOADS_MAX_DEFAULT = 16;
/** At most this many: the quota check reads one key's pending notes in one scan. */
export const PENDING_UPLOADS_MAX_LIMIT = 1000;
/** Bytes of content one key may have waiting for their anchor at once, by default. */
export const PENDING_BYTES_MAX_DEFAULT = 32 * 1024 * 1024;
export const PENDING_BYTES_MAX_LIMIT = 1024 * 1024 * 1024;

/**
 * What a node operator may tune about its custodian (the node config's `modules.record`
 * section, handed to the module as ModuleServices.settings).
 */
export interface CustodianSettings {
  /**
   * Largest content accepted by an upload, in bytes: the upload route's body bound, so the API
   * answers ENCODING_TOO_LARGE past it (RECORD_TOO_LARGE when the handler is called directly).
   */
  readonly contentBytesMax: number;
  /** How long an `access.log` opens content after its block's time, in ms: ACCESS_EXPIRED after. */
  readonly accessWindowMs: number;
  /** Largest `Date.now() - head.time` at which a read is judged, in ms: NODE_BEHIND past it. */
  readonly headAgeMsMax: number;
  /** Head time an upload may wait for its anchor, in ms; the worker erases it after. */
  readonly pendingTtlMs: number;
  /** Uploads one key may have waiting for their anchor: UPLOAD_QUOTA past it. */
  readonly pendingUploadsMax: number;
  /** Content bytes one key may have waiting for their anchor: UPLOAD_QUOTA past it. */
  readonly pendingBytesMax: number;
}

export const CUSTODIAN_DEFAULTS: CustodianSettings = {
  contentBytesMax: CONTENT_BYTES_MAX_DEFAULT,
  accessWindowMs: ACCESS_WINDOW_MS_DEFAULT,
  headAgeMsMax: HEAD_AGE_MS_MAX_DEFAULT,
  pendingTtlMs: PENDING_TTL_MS_DEFAULT,
  pendingUploadsMax: PENDING_UPLOADS_MAX_DEFAULT,
  pendingBytesMax: PENDING_BYTES_MAX_DEFAULT,
};

const LIMITS: Readonly<Record<keyof CustodianSettings, number>> = {
  contentBytesMax: CONTENT_BYTES_MAX_LIMIT,
  accessWindowMs: ACCESS_WINDOW_MS_LIMIT,
  headAgeMsMax: HEAD_AGE_MS_MAX_LIMIT,
  pendingTtlMs: PENDING_TTL_MS_LIMIT,
  pendingUploadsMax: PENDING_UPLOADS_MAX_LIMIT,
  pendingBytesMax: PENDING_BYTES_MAX_LIMIT,
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
  const settings = Object.fromEntries(
    (Object.keys(LIMITS) as Array<keyof CustodianSettings>).map((name) => [
      name,
      bounded(given, name, LIMITS[name]),
    ]),
  ) as unknown as CustodianSettings;
  if (settings.pendingBytesMax < settings.contentBytesMax) {
    throw new RangeError("custodian setting pendingBytesMax must be at least contentBytesMax");
  }
  return settings;
}

function bounded(given: Record<string, unknown>, name: keyof CustodianSettings, max: number) {
  const value = given[name] ?? CUSTODIAN_DEFAULTS[name];
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new RangeError(`custodian setting ${name} must be an integer in 1..${max}`);
  }
  return value;
}
