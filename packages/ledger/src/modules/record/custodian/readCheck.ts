import {
  type AccessResult,
  CareLedgerError,
  type RecordVersionView,
  type RecordView,
  type RouteCaller,
} from "@careledger/protocol";
import { decideAccess } from "../../consent/decision.js";
import type { CommittedTx, ModuleServices } from "../../module.js";
import { readRecord } from "../state.js";
import type { CustodianSettings } from "./settings.js";

/** What a content read may disclose, once every check passed: the anchored version. */
export interface PermittedRead {
  readonly record: RecordView;
  readonly version: RecordVersionView;
}

/**
 * Judges a content read (issue 13, "Read"), in this order, each failure its own code: the named
 * access is a committed, successful `access.log` (ACCESS_NOT_FOUND), logged by the caller for
 * this record (ACCESS_MISMATCH), permitted (ACCESS_DENIED); the node's head is recent against
 * the wall clock `now` (NODE_BEHIND), the access no older than the window against the head's
 * time (ACCESS_EXPIRED); the record exists (RECORD_NOT_FOUND), this node's organization is its
 * custodian (RECORD_NOT_HELD), it is not being or been forgotten (RECORD_FORGOTTEN), it has the
 * version the access named (RECORD_NOT_FOUND), and the decision taken again at the head, with
 * the access's purpose and action, still permits (ACCESS_DENIED: a consent revoked since).
 */
export async function checkRead(
  services: ModuleServices,
  settings: CustodianSettings,
  caller: RouteCaller,
  id: string,
  accessId: string,
  now: number,
): Promise<PermittedRead> {
  const access = await services.committedTx(accessId);
  const result = accessResultOf(access);
  if (access === null || result === null) {
    throw new CareLedgerError("ACCESS_NOT_FOUND", `no committed access.log ${accessId}`);
  }
  if (access.sender !== caller.key || result.record !== id) {
    throw new CareLedgerError(
      "ACCESS_MISMATCH",
      access.sender !== caller.key ? "the access was logged by another key" : "another record",
    );
  }
  if (result.decision !== "permit") {
    throw new CareLedgerError("ACCESS_DENIED", `the access was denied (${result.reason})`);
  }
  const head = services.head();
  checkHeadRecent(head.time, now, settings);
  const age = head.time - access.time;
  if (age > settings.accessWindowMs) {
    throw new CareLedgerError("ACCESS_EXPIRED", `the access committed ${age} ms before the head`, {
      windowMs: settings.accessWindowMs,
    });
  }
  const record = await readRecord(head, id);
  if (record === null) throw new CareLedgerError("RECORD_NOT_FOUND", `no record ${id}`);
  const org = await services.nodeOrg();
  if (org === null || record.custodian !== org) {
    throw new CareLedgerError("RECORD_NOT_HELD", `record ${id} is held by ${record.custodian}`);
  }
  checkNotForgotten(record);
  const version = record.versions.find((entry) => entry.version === result.version);
  if (version === undefined) {
    throw new CareLedgerError("RECORD_NOT_FOUND", `record ${id} has no version ${result.version}`);
  }
  // The logged decision was the block's; a revocation since is effective from its own block.
  const again = await decideAccess(head, {
    accessor: caller.key,
    patient: record.patient,
    record: record.id,
    class: record.class,
    action: result.action,
    purpose: result.purpose,
    time: head.time,
  });
  if (again.decision !== "permit") {
    throw new CareLedgerError("ACCESS_DENIED", `no longer permitted at the head (${again.reason})`);
  }
  return { record, version };
}

/**
 * NODE_BEHIND when the head is older than `headAgeMsMax` by the wall clock: a node that stopped
 * following the chain would judge by consents and forgets of the past. A head ahead of the clock
 * (skew) is recent.
 */
export function checkHeadRecent(headTime: number, now: number, settings: CustodianSettings): void {
  const behind = now - headTime;
  if (behind > settings.headAgeMsMax) {
    throw new CareLedgerError("NODE_BEHIND", `the head is ${behind} ms old`, {
      headAgeMsMax: settings.headAgeMsMax,
      retryAfterS: 1,
    });
  }
}

/** RECORD_FORGOTTEN once the patient asked to forget the record, before and after the erasure. */
export function checkNotForgotten(record: RecordView): void {
  if (record.status !== "active") {
    throw new CareLedgerError("RECORD_FORGOTTEN", `record ${record.id} is ${record.status}`);
  }
}

/**
 * The decision an `access.log` receipt carries, or null when the transaction is not an
 * `access.log` or failed (it decided nothing, so it is no logged access).
 */
function accessResultOf(access: CommittedTx | null): AccessResult | null {
  if (access === null || access.type !== "access.log") return null;
  if (access.receipt.status !== "ok") return null;
  const result = access.receipt.result as AccessResult | undefined;
  return result ?? null;
}
