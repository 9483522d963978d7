/**
 * Every error a client can meet, in one registry. The same code appears in failed receipts,
 * HTTP responses (`{error: {code, message, details}}` with the status below) and SDK
 * exceptions. Codes are stable: add new ones, never rename or reuse one.
 */
export const ERROR_CODES = {
  // Encoding and size.
  ENCODING_INVALID: { status: 400, message: "bytes are not a canonical encoding" },
  ENCODING_TOO_LARGE: { status: 413, message: "input exceeds its size limit" },
  // Transactions, checked at admission and again in every block.
  TX_MALFORMED: { status: 400, message: "transaction does not match its schema" },
  TX_TOO_LARGE: { status: 413, message: "transaction exceeds the size limit" },
  TX_WRONG_CHAIN: { status: 400, message: "transaction is for another chain" },
  TX_BAD_SIGNATURE: { status: 400, message: "transaction signature does not verify" },
  TX_EXPIRED: { status: 400, message: "transaction expiry height has passed" },
  TX_EXPIRY_TOO_FAR: { status: 400, message: "transaction expires too far in the future" },
  TX_DUPLICATE: { status: 409, message: "transaction id was already admitted or committed" },
  TX_UNKNOWN_TYPE: { status: 400, message: "no module handles this transaction type" },
  TX_PAYLOAD_INVALID: { status: 400, message: "payload does not match the type's schema" },
  MEMPOOL_FULL: { status: 503, message: "mempool is full, retry later" },
  SENDER_UNKNOWN: {
    status: 403,
    message:
      "sender is neither a registered, unrevoked identity, an organization admin nor a member's node key",
  },
  // Blocks and certificates.
  BLOCK_INVALID: { status: 400, message: "block is invalid" },
  CERTIFICATE_INVALID: { status: 400, message: "commit certificate does not verify" },
  PROOF_INVALID: { status: 400, message: "proof does not verify against the root" },
  GENESIS_INVALID: { status: 400, message: "genesis document is invalid" },
  // State sync: a peer's snapshot chunk that does not hash to its certified root, and a
  // snapshot whose header no trusted validator set certified.
  SNAPSHOT_CHUNK_INVALID: {
    status: 400,
    message: "state snapshot chunk does not verify against the certified state root",
  },
  SNAPSHOT_UNTRUSTED: {
    status: 400,
    message: "state snapshot header is not certified by the trusted validator set",
  },
  // A node-start failure, never an answer to a client: the status is for completeness.
  STORAGE_FORMAT_MISMATCH: {
    status: 500,
    message: "the data directory was written in another storage format",
  },
  // Forming a consortium and keeping its keys (node README, "Forming a consortium"): node-start
  // and CLI failures, never answers to a client.
  MEMBER_FILE_INVALID: { status: 400, message: "member file does not match its schema" },
  GENESIS_MISMATCH: {
    status: 400,
    message: "the genesis does not list this home's member, node key or announced address",
  },
  CONFIG_INVALID: { status: 400, message: "the node config is invalid" },
  KEY_FILE_INVALID: {
    status: 400,
    message: "key file is neither an encrypted key file of a known version nor a plain key",
  },
  KEY_FILE_PARAMS: {
    status: 400,
    message: "key file's scrypt parameters are outside the bounds this node accepts",
  },
  KEY_PASSPHRASE_MISSING: {
    status: 400,
    message:
      "the key file is encrypted: give its passphrase (--passphrase-file or CARELEDGER_PASSPHRASE)",
  },
  KEY_PASSPHRASE_WRONG: { status: 401, message: "wrong passphrase for the key file" },
  KEY_FILE_TAMPERED: {
    status: 400,
    message: "the key file's passphrase is right but its contents were altered",
  },
  // Business rules (failed receipts).
  UNAUTHORIZED: { status: 403, message: "sender may not send this transaction" },
  NOT_FOUND: { status: 404, message: "no such object" },
  ALREADY_EXISTS: { status: 409, message: "object already exists" },
  IDENTITY_REVOKED: { status: 403, message: "signing key was revoked" },
  ORG_NOT_FOUND: { status: 404, message: "no such organization" },
  ORG_REMOVED: { status: 403, message: "the signer's organization was removed by governance" },
  PROPOSAL_NOT_FOUND: { status: 404, message: "no such governance proposal" },
  PROPOSAL_CLOSED: { status: 409, message: "proposal already passed, failed or expired" },
  ALREADY_VOTED: { status: 409, message: "this organization already voted" },
  VALIDATOR_SET_TOO_SMALL: { status: 409, message: "change would leave fewer than 4 validators" },
  PROPOSAL_INVALID: { status: 400, message: "proposal cannot take effect as written" },
  ORG_HAS_VALIDATORS: { status: 409, message: "organization still runs validator nodes" },
  LAST_ADMIN: { status: 409, message: "an organization keeps at least one admin key" },
  CONSENT_NOT_FOUND: { status: 404, message: "no such consent" },
  CONSENT_TOMBSTONED: {
    status: 409,
    message: "this consent id was revoked before it was granted and cannot be used",
  },
  DELEGATE_NOT_FOUND: { status: 404, message: "no such delegation in force" },
  CONSENT_REVOKED: { status: 409, message: "the consent was already revoked" },
  CONSENT_INVALID: {
    status: 400,
    message:
      "the terms are inconsistent (a period ending before it starts, classes and records both)",
  },
  NOT_A_PATIENT: { status: 400, message: "the key is not a registered, unrevoked patient" },
  CONSENT_HISTORY_PRUNED: {
    status: 410,
    message: "consents in force at that time were pruned: the decision then cannot be told",
  },
  LIST_FULL: { status: 409, message: "a bounded list this would grow is full" },
  RECORD_NOT_FOUND: { status: 404, message: "no such record" },
  RECORD_VERSION_CONFLICT: {
    status: 409,
    message: "the record's latest version is not the one this amends",
  },
  RECORD_HASH_REUSED: {
    status: 409,
    message: "this content hash is already anchored, under this record or another",
  },
  RECORD_FORGOTTEN: { status: 410, message: "the record was forgotten and its content erased" },
  RECORD_NOT_FORGETTING: {
    status: 409,
    message:
      "the record is not awaiting erasure (no record.forget committed, or already forgotten)",
  },
  RECORD_NOT_HELD: { status: 404, message: "this node is not the record's custodian" },
  RECORD_TAMPERED: {
    status: 500,
    message: "the stored ciphertext does not match the record's anchored hash",
  },
  RECORD_TOO_LARGE: { status: 413, message: "record content exceeds this node's limit" },
  UPLOAD_QUOTA: {
    status: 429,
    message: "the uploader has too many uploads not anchored yet at this custodian",
  },
  NODE_BEHIND: {
    status: 503,
    message: "this node's head is too old to judge a read by; retry later or at another node",
  },
  ACCESS_DENIED: { status: 403, message: "the access was denied" },
  ACCESS_NOT_FOUND: { status: 404, message: "no committed access.log with this id" },
  ACCESS_EXPIRED: { status: 403, message: "the access is too old to fetch content with" },
  ACCESS_MISMATCH: {
    status: 403,
    message: "the access was logged by another key or for another record",
  },
  // Claims (DOMAIN.md "claims").
  PLAN_NOT_FOUND: { status: 404, message: "no such plan" },
  PLAN_TERMS_INVALID: {
    status: 400,
    message:
      "the plan's terms are inconsistent (a period ending before it starts, a deductible above the out-of-pocket maximum, a service code twice)",
  },
  PLAN_VERSION_INVALID: {
    status: 409,
    message:
      "a plan version must take effect within the plan's period, after its latest version and not before this block",
  },
  COVERAGE_NOT_FOUND: { status: 404, message: "no such coverage" },
  COVERAGE_PERIOD_INVALID: {
    status: 400,
    message: "the coverage period is outside its plan's period or ends before it starts",
  },
  COVERAGE_MEMBER_MISMATCH: {
    status: 403,
    message: "the member key is not the coverage's member",
  },
  NOT_A_PROVIDER: {
    status: 403,
    message: "the organization is not a care provider (hospital, clinic, lab or pharmacy)",
  },
  NOT_AN_INSURER: { status: 403, message: "the organization is not an insurer" },
  PREAUTH_PERIOD_INVALID: {
    status: 400,
    message: "the pre-authorization period ends before it starts",
  },
  CLAIM_NOT_FOUND: { status: 404, message: "no such claim" },
  CLAIM_NOT_PAYABLE: {
    status: 409,
    message:
      "the payment exceeds what the claim has payable and unpaid, or a dispute of it is open",
  },
  CLAIM_NOT_DISPUTABLE: {
    status: 409,
    message:
      "the claim cannot be disputed (voided, in error, a dispute already open, or its window passed)",
  },
  CLAIM_NO_DISPUTE: { status: 409, message: "the claim has no open dispute to resolve" },
  CLAIM_RESOLUTION_INVALID: {
    status: 400,
    message:
      "the resolution's lines do not fit its outcome or the claim (upheld names none, adjusted names adjudicated lines once)",
  },
  CLAIM_NOT_VOIDABLE: {
    status: 409,
    message: "the claim cannot be voided (payments were made, a dispute is open, or it is void)",
  },
  // Drug provenance (DOMAIN.md "drug provenance", NOTES.md 3 and 4).
  GTIN_INVALID: {
    status: 400,
    message: "not a GTIN: wrong length, a non-digit, or a wrong check digit",
  },
  GTIN_OUTSIDE_PREFIX: {
    status: 403,
    message: "the GTIN is not within any of the organization's GS1 company prefixes",
  },
  SSCC_INVALID: { status: 400, message: "not an SSCC: 18 digits with a valid check digit" },
  EXPIRY_INVALID: { status: 400, message: "not an AI 17 date (YYMMDD, day 00 for month end)" },
  PRODUCT_NOT_FOUND: { status: 404, message: "no product with this GTIN is registered" },
  SERIAL_DUPLICATE: {
    status: 409,
    message: "a serial is named twice, or already commissioned for this GTIN",
  },
  PACK_NOT_FOUND: { status: 404, message: "no commissioned pack with this GTIN and serial" },
  CASE_NOT_FOUND: { status: 404, message: "no case with this SSCC" },
  NOT_CUSTODIAN: {
    status: 403,
    message: "the organization does not hold these packs or cases",
  },
  NOT_ADDRESSEE: {
    status: 403,
    message: "these packs or cases were not shipped from that sender to this organization",
  },
  PACK_IN_TRANSIT: { status: 409, message: "a pack or case is in transit and cannot move" },
  PACK_IN_CASE: {
    status: 409,
    message: "a pack is aggregated in a case: move or unpack the case",
  },
  PACK_FINAL: {
    status: 409,
    message: "a pack was dispensed or decommissioned and cannot move again",
  },
  PACK_RECALLED: { status: 409, message: "a pack's lot is recalled" },
  PACK_SUSPECT: {
    status: 409,
    message: "a suspect pack moves only to a regulator or back to its manufacturer",
  },
  PACK_EXPIRED: { status: 409, message: "a pack is past its expiry date" },
  PACK_RETURN_UNVERIFIED: {
    status: 409,
    message: "a returned pack was not verified by its receiver and cannot be sold on",
  },
  PACK_NOT_SUSPECT: { status: 409, message: "a pack named is not suspect" },
  NOT_A_TRADING_PARTNER: {
    status: 403,
    message: "the organization never held these packs and is not a regulator",
  },
  DIGITAL_LINK_INVALID: {
    status: 400,
    message: "not a valid GS1 Digital Link URI (details.reason says which rule)",
  },
  // Execution faults (failed receipts, the same on every validator): a handler's bug, not a rule.
  STATE_VALUE_INVALID: {
    status: 500,
    message: "a handler wrote a value with no canonical encoding",
  },
  EXECUTION_FAILED: { status: 500, message: "the transaction's handler failed unexpectedly" },
  RESULT_INVALID: {
    status: 500,
    message:
      "a handler's receipt result or events have no canonical encoding or exceed their bounds",
  },
  STATE_KEY_FORBIDDEN: {
    status: 500,
    message: "a handler or query touched a state key outside its module's namespace",
  },
  PARAM_NOT_LIVE: {
    status: 409,
    message: "this consensus parameter cannot change on a live chain",
  },
  // API access.
  BAD_REQUEST: { status: 400, message: "request does not match the route's schema" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: "content type not accepted by this route" },
  FORBIDDEN: { status: 403, message: "caller may not see this" },
  REQUEST_UNSIGNED: {
    status: 401,
    message: "this route needs a request signed by a registered key",
  },
  REQUEST_BAD_SIGNATURE: { status: 401, message: "request signature does not verify" },
  REQUEST_EXPIRED: { status: 401, message: "request time is outside the validity window" },
  REQUEST_REPLAYED: { status: 409, message: "this signed request was already used" },
  // 401 like the other signed-request failures: the caller is not authenticated to this node
  // (not refused for who it is), and signing again for this node's key is the remedy.
  REQUEST_WRONG_NODE: { status: 401, message: "request was signed for another node" },
  // Only on a node whose API authenticates member applications by client certificate.
  CLIENT_CERT_REQUIRED: {
    status: 401,
    message: "this node serves only clients with a certificate its member CA issued",
  },
  NOT_READY: { status: 503, message: "node is catching up with its peers" },
  RATE_LIMITED: { status: 429, message: "too many requests" },
  OVERLOADED: { status: 503, message: "node has too many requests in progress, retry later" },
  REQUEST_TIMEOUT: { status: 503, message: "node did not answer in time, retry later" },
  INTERNAL: { status: 500, message: "internal error" },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}

/** An error carrying a registry code; `details` is JSON-safe context for the caller. */
export class CareLedgerError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message?: string, details: Record<string, unknown> = {}) {
    super(message ?? ERROR_CODES[code].message);
    this.name = "CareLedgerError";
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }
}
