import {
  type AccessResult,
  CareLedgerError,
  HASH_BYTES,
  type QueryResultJson,
  type RecordClass,
  toHex,
} from "@careledger/protocol";
import { Access, type AccessOptions, type AccessRequest } from "./access.js";
import { Caller, type CommitOptions, type KeyInput, keyBytes, keyHex, randomId } from "./caller.js";
import type { CareLedgerClient } from "./client.js";
import { localError } from "./errors.js";
import { sleep } from "./http.js";
import { badResponse } from "./json.js";
import { allItems, type Page, type PageOptions } from "./paging.js";
import { fetchContent, uploadContent } from "./recordContent.js";
import { checkPayload } from "./txTypes.js";

export type RecordViewJson = NonNullable<QueryResultJson<"record.get">>;

export interface UploadOptions extends CommitOptions {
  readonly patient: KeyInput;
  readonly class: RecordClass;
  /** The organization whose node stores the content: the uploader's own. */
  readonly custodian: string;
  /** 32 hex digits; a fresh random 128-bit id when absent. */
  readonly id?: string;
}

/** A version anchored on chain: the record, the ciphertext's hash (hex) and the version. */
export interface AnchoredVersion {
  readonly id: string;
  readonly hash: string;
  readonly version: number;
}

export interface ReadResult {
  readonly content: Uint8Array;
  /** The committed access.log the content was released on, hex. */
  readonly access: string;
  readonly decision: AccessResult;
}

export interface RecordsOptions {
  /**
   * The node of a custodian organization, which holds its records' content: uploads and reads
   * of content go there, signed by this client's key. The client's own node when absent.
   */
  readonly custodianNode?: (org: string) => CareLedgerClient;
}

/** How long `erased` waits for the custodian's `record.forgotten`, and how often it looks. */
const ERASED_TIMEOUT_MS = 60_000;
const ERASED_POLL_MS = 250;

/**
 * Records as the client's signer uses them: content goes to the custodian's node, encrypted
 * there; the chain holds only the anchor (id, patient key, class, custodian, ciphertext hash);
 * every read is an `access.log` on chain before the content leaves the custodian.
 */
export class Records {
  private readonly caller: Caller;
  private readonly access: Access;
  private readonly custodianNode: (org: string) => CareLedgerClient;

  constructor(client: CareLedgerClient, options: RecordsOptions = {}) {
    this.caller = new Caller(client);
    this.access = new Access(client);
    this.custodianNode = options.custodianNode ?? (() => client);
  }

  /**
   * Uploads `content` to the custodian's node, then anchors version 1 with the hash it
   * answered (`record.anchor`) and waits for the commit.
   */
  async upload(content: Uint8Array, options: UploadOptions): Promise<AnchoredVersion> {
    const anchor = {
      id: options.id ?? randomId(),
      patient: keyBytes(options.patient),
      class: options.class,
      custodian: options.custodian,
    };
    // The anchor is checked before the upload: a bad id or class must not leave content at the
    // custodian that no anchor will ever name.
    checkPayload("record.anchor", { ...anchor, hash: new Uint8Array(HASH_BYTES) });
    const node = this.custodianNode(options.custodian);
    // Bound at the custodian to this record's version 1, for this patient and class.
    const target = {
      record: anchor.id,
      version: 1 as const,
      patient: toHex(anchor.patient),
      class: anchor.class,
    };
    const hash = await uploadContent(node, this.caller.signer, content, target, options.signal);
    await this.caller.commit("record.anchor", { ...anchor, hash }, options);
    return { id: anchor.id, hash: toHex(hash), version: 1 };
  }

  /**
   * Uploads a new version of `id` to its custodian and anchors it (`record.amend`) after the
   * record's latest version, read first; a concurrent amend makes this one fail with
   * RECORD_VERSION_CONFLICT rather than overwrite it.
   */
  async amend(
    id: string,
    content: Uint8Array,
    options: CommitOptions = {},
  ): Promise<AnchoredVersion> {
    const record = await this.get(id);
    if (record === null) throw new CareLedgerError("RECORD_NOT_FOUND", `no record ${id}`);
    if (record.status !== "active") {
      throw new CareLedgerError("RECORD_FORGOTTEN", `record ${id} is ${record.status}`);
    }
    const previous = Math.max(0, ...record.versions.map((version) => version.version));
    if (previous === 0) badResponse(`record.get ${id}.versions`, "at least one version");
    // The custodian takes it at the node holding version 1 only (its content is pinned there).
    const node = this.custodianNode(record.custodian);
    const target = { record: id, version: previous + 1 };
    const hash = await uploadContent(node, this.caller.signer, content, target, options.signal);
    await this.caller.commit(
      "record.amend",
      { id, custodian: record.custodian, previous, hash },
      options,
    );
    return { id, hash: toHex(hash), version: previous + 1 };
  }

  /**
   * Reads a record: submits `access.log`, waits for its commit and reads the decision in the
   * receipt (a deny throws ACCESS_DENIED with the reason), then fetches the content from the
   * custodian naming that access.
   *
   * What is checked here: the decision, and that the receipt's result names this record, this
   * caller, the purpose and action asked and the version asked for. What cannot be: the
   * content itself. The anchored hash is of the ciphertext, encrypted under a key only the
   * custodian holds, and the custodian answers the plaintext, so the custodian (which checks
   * the ciphertext against the anchor before decrypting, RECORD_TAMPERED otherwise) is trusted
   * for the bytes it releases; the chain proves who asked and what was decided, not what was
   * sent. With `options.trust` the decision is read from the receipt proven against its
   * certified block, so the node answering need not be trusted for it either.
   */
  async read(id: string, request: AccessRequest, options: AccessOptions = {}): Promise<ReadResult> {
    const logged = await this.access.log(id, request, options);
    const decision = logged.result;
    if (decision.decision !== "permit") {
      throw new CareLedgerError(
        "ACCESS_DENIED",
        `access to record ${id} denied: ${decision.reason}`,
        {
          access: logged.access,
          reason: decision.reason,
          consent: decision.consent,
        },
      );
    }
    const node = this.custodianNode(decision.custodian);
    const content = await fetchContent(node, this.caller.signer, id, logged.access, options.signal);
    return { content, access: logged.access, decision };
  }

  /**
   * Asks the custodian to erase every version (`record.forget`, by the patient or a delegate:
   * `patient` is the caller's own key when absent); resolves once that commits. The erasure
   * itself follows at the custodian: `erased` waits for it.
   */
  async forget(
    id: string,
    options: CommitOptions & { readonly patient?: KeyInput } = {},
  ): Promise<{ readonly id: string; readonly tx: string }> {
    const patient = keyBytes(options.patient ?? this.caller.key);
    const committed = await this.caller.commit("record.forget", { id, patient }, options);
    return { id, tx: committed.id };
  }

  /**
   * Waits until the custodian reports the erasure (`record.forgotten` committed: the record's
   * status is `forgotten`) and returns the record; a `timeout` error after `timeoutMs`.
   */
  async erased(
    id: string,
    options: { readonly timeoutMs?: number; readonly signal?: AbortSignal } = {},
  ): Promise<RecordViewJson> {
    const timeoutMs = options.timeoutMs ?? ERASED_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const record = await this.get(id);
      if (record === null) throw new CareLedgerError("RECORD_NOT_FOUND", `no record ${id}`);
      if (record.status === "forgotten") return record;
      if (record.status === "active") {
        throw new CareLedgerError("BAD_REQUEST", `record ${id} was not asked to be forgotten`);
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw localError("timeout", `record ${id} not erased within ${timeoutMs} ms`, { id });
      }
      await sleep(Math.min(ERASED_POLL_MS, remaining), options.signal);
    }
  }

  /** A record's metadata and versions (never its content), or null. */
  get(id: string): Promise<QueryResultJson<"record.get">> {
    return this.caller.client.query("record.get", { id });
  }

  /** A page of a patient's records, in id order (the caller's own by default). */
  ofPatient(
    patient: KeyInput = this.caller.key,
    page: PageOptions = {},
  ): Promise<Page<RecordViewJson>> {
    return this.caller.client.query("record.ofPatient", { patient: keyHex(patient), ...page });
  }

  /** Every record of a patient, page after page. */
  ofPatientAll(
    patient: KeyInput = this.caller.key,
    options: PageOptions = {},
  ): AsyncGenerator<RecordViewJson> {
    return allItems((page) => this.ofPatient(patient, page), options);
  }
}
