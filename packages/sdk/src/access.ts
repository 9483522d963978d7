import {
  type AccessResult,
  AccessResultSchema,
  type ConsentAction,
  fromHex,
  HASH_BYTES,
  jsonSchemaOf,
  type PurposeCode,
  type QueryResultJson,
} from "@careledger/protocol";
import { Caller, type CommitOptions, type KeyInput, keyHex } from "./caller.js";
import type { CareLedgerClient } from "./client.js";
import { answerChecker, badResponse } from "./json.js";
import { allItems, type Page, type PageOptions } from "./paging.js";
import type { TrustAnchor } from "./verify.js";
import type { CommittedTx } from "./wait.js";

export type AccessEntryJson = QueryResultJson<"access.history">["items"][number];

/** What the caller asks to do with a record: the `access.log` it submits before reading. */
export interface AccessRequest {
  /** v3 ActReason PurposeOfUse (TREAT, ETREAT or BTG to break the glass, HPAYMT, ...). */
  readonly purpose: PurposeCode;
  /** FHIR consentaction; `access` when absent. */
  readonly action?: ConsentAction;
  /** The version to read; the record's latest when absent. */
  readonly version?: number;
}

/** How an access is logged: the commit's options, and a trust anchor to check the receipt by. */
export interface AccessOptions extends CommitOptions {
  /**
   * When given, the decision is read from the receipt proven against the certified header of
   * its block (`getVerifiedReceipt`), not from the node's word: a node that does not hold the
   * validators' keys cannot forge a permit or turn a deny into one.
   */
  readonly trust?: TrustAnchor;
}

/** A committed `access.log`: its id (what a content request names) and the decision. */
export interface LoggedAccess {
  /** The access.log transaction id, hex. */
  readonly access: string;
  readonly height: number;
  readonly result: AccessResult;
}

const accessResultCheck = answerChecker(jsonSchemaOf(AccessResultSchema), "access.log result");

/**
 * The access module as the client's signer uses it: logging an access before a read (the
 * decision comes back in the receipt), a patient's access history, an organization's accesses
 * and its break-the-glass reviews. Every read is a query signed by that key.
 */
export class Access {
  private readonly caller: Caller;

  constructor(client: CareLedgerClient) {
    this.caller = new Caller(client);
  }

  /**
   * Submits `access.log` for `record`, waits for its commit and returns the decision from the
   * receipt, checked against the contract's AccessResult and against the request: it must name
   * this record, this caller, the purpose and action asked and (when asked) the version. A deny
   * is a decision, returned like a permit; `records.read` turns it into ACCESS_DENIED.
   */
  async log(
    record: string,
    request: AccessRequest,
    options: AccessOptions = {},
  ): Promise<LoggedAccess> {
    const action = request.action ?? "access";
    const committed = await this.caller.commit(
      "access.log",
      {
        record,
        purpose: request.purpose,
        action,
        ...(request.version !== undefined && { version: request.version }),
      },
      options,
    );
    const result =
      options.trust === undefined
        ? accessResultOf(committed.receipt.result)
        : await this.verifiedResult(committed.id, options.trust);
    const expected: Partial<AccessResult> = {
      record,
      accessor: this.caller.key,
      purpose: request.purpose,
      action,
      ...(request.version !== undefined && { version: request.version }),
    };
    for (const [field, value] of Object.entries(expected)) {
      if (result[field as keyof AccessResult] !== value) {
        badResponse(`access.log result.${field}`, JSON.stringify(value));
      }
    }
    return { access: committed.id, height: committed.height, result };
  }

  /** The result of the receipt proven under its certified block (AccessResult has no bytes). */
  private async verifiedResult(access: string, trust: TrustAnchor): Promise<AccessResult> {
    const { receipt } = await this.caller.client.getVerifiedReceipt(access, trust);
    if (receipt.status !== "ok")
      badResponse(`access.log ${access} receipt`, "the committed ok one");
    return accessResultOf(receipt.result);
  }

  /** A page of a patient's access history, newest first (the caller's own by default). */
  history(
    patient: KeyInput = this.caller.key,
    page: PageOptions = {},
  ): Promise<Page<AccessEntryJson>> {
    return this.caller.client.query("access.history", { patient: keyHex(patient), ...page });
  }

  /** Every entry of a patient's access history, page after page. */
  historyAll(
    patient: KeyInput = this.caller.key,
    options: PageOptions = {},
  ): AsyncGenerator<AccessEntryJson> {
    return allItems((page) => this.history(patient, page), options);
  }

  /** A page of the accesses to the records an organization holds, newest first. */
  ofCustodian(org: string, page: PageOptions = {}): Promise<Page<AccessEntryJson>> {
    return this.caller.client.query("access.ofCustodian", { org, ...page });
  }

  /** A page of the break-the-glass accesses by an organization's people awaiting its review. */
  breakGlass(org: string, page: PageOptions = {}): Promise<Page<AccessEntryJson>> {
    return this.caller.client.query("access.breakGlass", { org, ...page });
  }

  /** Closes the review of one break-the-glass access (an admin of `org`), after commit. */
  review(
    review: {
      readonly org: string;
      readonly access: string | Uint8Array;
      readonly justified: boolean;
    },
    options: CommitOptions = {},
  ): Promise<CommittedTx> {
    const access =
      typeof review.access === "string" ? fromHex(review.access, HASH_BYTES) : review.access;
    return this.caller.commit(
      "access.review",
      { org: review.org, access, justified: review.justified },
      options,
    );
  }
}

/** The AccessResult in an `access.log` receipt, checked against the contract's schema. */
export function accessResultOf(result: unknown): AccessResult {
  return accessResultCheck(result) as AccessResult;
}
