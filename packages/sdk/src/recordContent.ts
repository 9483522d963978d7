import {
  CareLedgerError,
  HASH_BYTES,
  MODULE_ROUTE_PREFIX,
  RECORD_VERSIONS_MAX,
  type RecordClass,
  type Signer,
} from "@careledger/protocol";
import type { CareLedgerClient } from "./client.js";
import { localError } from "./errors.js";
import { hexAt, recordAt } from "./json.js";

/**
 * The custodian's content routes (the records module's, under `/v1/m/record`): an upload
 * answers the hash of the ciphertext it stored; a read names a committed `access.log` and
 * answers the plaintext. Both are requests signed by the caller's key for that node.
 */
export const RECORD_CONTENT_PATH = `${MODULE_ROUTE_PREFIX}/record/content`;

const OCTETS = "application/octet-stream";
const RECORD_ID = /^[0-9a-f]{32}$/;
const TX_ID = /^[0-9a-f]{64}$/;

/**
 * The record version an upload is for: the custodian binds the content to it and opens it only
 * for that anchor. Version 1 names the patient (hex key) and class the anchor will carry; a
 * later version's are the record's, so it names neither.
 */
export type UploadTarget =
  | {
      readonly record: string;
      readonly version: 1;
      readonly patient: string;
      readonly class: RecordClass;
    }
  | { readonly record: string; readonly version: number };

/** The upload's path: the content route with the target in its (signed) query. */
export function uploadPath(target: UploadTarget): string {
  if (!RECORD_ID.test(target.record)) {
    throw new CareLedgerError("BAD_REQUEST", `record id ${target.record} is not 32 hex digits`);
  }
  const { version } = target;
  if (!Number.isSafeInteger(version) || version < 1 || version > RECORD_VERSIONS_MAX) {
    throw new CareLedgerError("BAD_REQUEST", `record version ${version} is out of range`);
  }
  const query = new URLSearchParams({ record: target.record, version: String(version) });
  if ("patient" in target) {
    query.set("patient", target.patient);
    query.set("class", target.class);
  }
  return `${RECORD_CONTENT_PATH}?${query.toString()}`;
}

/**
 * Sends `content` to the custodian node (a clinician or staff of its organization signs), which
 * encrypts and stores it bound to `target`; returns the SHA-256 of the stored ciphertext, the
 * hash to anchor as that version of that record.
 */
export async function uploadContent(
  node: CareLedgerClient,
  signer: Signer,
  content: Uint8Array,
  target: UploadTarget,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  if (!(content instanceof Uint8Array)) {
    throw new CareLedgerError("BAD_REQUEST", "record content must be a Uint8Array");
  }
  const answer = await node.signedRequest(signer, {
    method: "POST",
    path: uploadPath(target),
    body: content,
    contentType: OCTETS,
    ...(signal && { signal }),
  });
  return hexAt(recordAt(answer, "record content").hash, "record content.hash", HASH_BYTES);
}

/**
 * The plaintext of `record` from its custodian, naming the committed access that permits it
 * (the same key signs this request as signed the access.log).
 */
export async function fetchContent(
  node: CareLedgerClient,
  signer: Signer,
  record: string,
  access: string,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  if (!RECORD_ID.test(record)) {
    throw new CareLedgerError("BAD_REQUEST", `record id ${record} is not 32 hex digits`);
  }
  if (!TX_ID.test(access)) {
    throw new CareLedgerError("BAD_REQUEST", `access id ${access} is not 64 hex digits`);
  }
  const path = `${RECORD_CONTENT_PATH}/${record}?access=${access}`;
  const answer = await node.signedRequestBytes(signer, {
    method: "GET",
    path,
    ...(signal && { signal }),
  });
  const type = answer.contentType?.split(";")[0]?.trim().toLowerCase();
  if (type !== OCTETS) {
    throw localError("bad-response", `record content: expected ${OCTETS}, got ${type}`);
  }
  return answer.bytes;
}
