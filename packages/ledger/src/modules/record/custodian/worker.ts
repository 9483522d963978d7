import { type RecordView, toHex } from "@careledger/protocol";
import type { CommittedTx, KeyValueReader, ModuleServices, ModuleWorker } from "../../module.js";
import { readRecord } from "../state.js";
import { ContentStore, type PendingUpload, type UploadBinding } from "./contentStore.js";
import { type CustodianSettings, custodianSettings } from "./settings.js";

/** Records read per page when the worker looks for forgets a crash left unfinished. */
export const RESUME_SCAN_PAGE = 500;
/** Attempts at one record's erasure and report before the worker leaves it to the next start. */
export const FORGET_ATTEMPTS_MAX = 5;
/**
 * Heights a submitted `record.forgotten` may take to commit before it is submitted again: past
 * the node's transaction lifetime (moduleServices SUBMIT_TX_TTL, 100), so the first one expired.
 */
export const RESUBMIT_AFTER_HEIGHTS = 120;
/** Records in progress at once: each needs one entry; beyond it the rest wait for a restart. */
export const FORGETS_PENDING_MAX = 10_000;
/** Head time between two sweeps of uploads never anchored: their TTL is an hour by default. */
export const SWEEP_INTERVAL_MS = 60 * 1000;
/** Pending uploads read per page by a sweep. */
export const SWEEP_PAGE = 500;

/** Where the worker says what failed (the node's logger fits: pino's `(details, message)`). */
export interface CustodianLog {
  warn(details: Readonly<Record<string, unknown>>, message: string): void;
  error(details: Readonly<Record<string, unknown>>, message: string): void;
}

export interface RecordWorkerOptions {
  /** Where failures go; the node's logger (`services.log`) when absent. */
  readonly log?: CustodianLog;
  /** The custodian's settings; the node config's (`services.settings`) when absent. */
  readonly settings?: CustodianSettings;
}

/** One record the custodian must erase and report. */
interface PendingForget {
  attempts: number;
  /** The head height when its `record.forgotten` was submitted, or null before. */
  submittedAt: number | null;
}

/**
 * `report/<id>` in the record module's LocalSpace: this node held content of the record and
 * owes the chain its `record.forgotten`. Written before the erasure, removed once reported.
 */
const reportKey = (id: string) => `report/${id}`;
const REPORT_NOTE = new Uint8Array([1]);

const hashesOf = (record: RecordView) => record.versions.map((version) => version.hash);

/** Whether the head anchors `hash` as the version it was uploaded for (same patient, class). */
async function anchoredAsBound(
  head: KeyValueReader,
  hash: string,
  binding: UploadBinding,
): Promise<boolean> {
  const record = await readRecord(head, binding.record);
  if (record === null || record.patient !== binding.patient || record.class !== binding.class) {
    return false;
  }
  return record.versions.some((entry) => entry.version === binding.version && entry.hash === hash);
}

/**
 * The custodian's node-side work: after a `record.forget` of a record it holds commits, erase
 * every version's blob and key (ContentStore.erase, for real), then report `record.forgotten`
 * signed by the node key. Erasure comes first, so a report is never on chain while a key
 * remains; a crash between them leaves the record `forgetting`, which `start` finds and
 * finishes (erasing again is harmless). Failures are logged and retried at later blocks, at
 * most FORGET_ATTEMPTS_MAX times; the node calls this off its commit path. It also settles each
 * upload once its anchor commits as it was bound, and erases uploads still not anchored
 * `pendingTtlMs` of head time after they were made.
 */
export function recordWorker(
  services: ModuleServices,
  options: RecordWorkerOptions = {},
): ModuleWorker {
  const settings = options.settings ?? custodianSettings(services.settings);
  return new ForgetWorker(services, options.log ?? services.log, settings);
}

class ForgetWorker implements ModuleWorker {
  private readonly content: ContentStore;
  private readonly pending = new Map<string, PendingForget>();
  private stopped = false;
  /** Records given up since the start: in every give-up's log line, for the operator. */
  private givenUp = 0;
  /** The head time of the last sweep of uploads never anchored, or null before the first. */
  private sweptAt: number | null = null;

  constructor(
    private readonly services: ModuleServices,
    private readonly log: CustodianLog,
    private readonly settings: CustodianSettings,
  ) {
    this.content = new ContentStore(services.local, services.keyEncryptionKey);
  }

  /**
   * Finds what a crash or a stop left: every record of this custodian still `forgetting`, and
   * every `forgotten` one of which this node still holds a version (another node of the
   * organization reported it while this one was down). The node tells a worker only of blocks
   * committed after it started, so this scan is what covers the blocks in between.
   */
  async start(): Promise<void> {
    const org = await this.services.nodeOrg();
    if (org === null) return;
    const head = this.services.head();
    let after: string | null = null;
    for (;;) {
      const page = await head.scan("record/", { limit: RESUME_SCAN_PAGE, after });
      for (const [key, value] of page) {
        // Only `record/<id>` holds a RecordView; `record/h/<hash>` is the hash index.
        if (key.indexOf("/", "record/".length) >= 0) continue;
        const record = value as unknown as RecordView;
        if (record.custodian !== org || record.status === "active") continue;
        // A forgotten record still held here, or whose report note a restart left behind.
        const held = await this.content.heldFor(record.id, hashesOf(record));
        const noted = (await this.services.local.get(reportKey(record.id))) !== undefined;
        if (record.status === "forgetting" || held.length > 0 || noted) this.add(record.id);
      }
      if (page.length < RESUME_SCAN_PAGE) break;
      after = (page.at(-1) as [string, unknown])[0];
    }
    await this.work();
    // Anchors committed while the node was down are not replayed: settle them, sweep the rest.
    await this.sweep(true);
  }

  async committed(_height: number, txs: readonly CommittedTx[]): Promise<void> {
    for (const tx of txs) {
      if (tx.receipt.status !== "ok") continue;
      if (tx.type === "record.forget" || tx.type === "record.forgotten") {
        this.add((tx.payload as { id: string }).id);
      } else if (tx.type === "record.anchor" || tx.type === "record.amend") {
        await this.settle(toHex((tx.payload as { hash: Uint8Array }).hash));
      }
    }
    await this.work();
    await this.sweep(false);
  }

  async stop(): Promise<void> {
    this.stopped = true;
  }

  private add(id: string): void {
    if (this.pending.has(id)) return;
    if (this.pending.size >= FORGETS_PENDING_MAX) {
      this.log.error({ record: id }, "too many forgets in progress; left to the next start");
      return;
    }
    this.pending.set(id, { attempts: 0, submittedAt: null });
  }

  /** Takes each pending record one step on; one record's failure never stops the others. */
  private async work(): Promise<void> {
    for (const [id, entry] of [...this.pending]) {
      if (this.stopped) return;
      try {
        if (await this.step(id, entry)) this.pending.delete(id);
      } catch (error) {
        entry.attempts += 1;
        const details = { record: id, attempt: entry.attempts, err: error };
        if (entry.attempts >= FORGET_ATTEMPTS_MAX) {
          this.pending.delete(id);
          this.givenUp += 1;
          this.log.error(
            { ...details, givenUp: this.givenUp },
            "record erasure failed; given up until the node restarts",
          );
        } else {
          this.log.warn(details, "record erasure failed; tried again at the next block");
        }
      }
    }
  }

  /**
   * One step of a record's forget; true once nothing is left to do for it here. A node reports
   * only a record it held content of, noted (synced) before it erases: a node of the
   * organization that never held the content must not report an erasure that another node has
   * still to do, and the note outlives a crash between the erasure and the report.
   */
  private async step(id: string, entry: PendingForget): Promise<boolean> {
    const head = this.services.head();
    const record = await readRecord(head, id);
    const org = await this.services.nodeOrg();
    if (record === null || org === null || record.custodian !== org) return true;
    if (record.status === "active") return true;
    if (entry.submittedAt !== null && record.status === "forgetting") {
      if (head.height - entry.submittedAt < RESUBMIT_AFTER_HEIGHTS) return false;
      // Submitted and never committed (expired, or dropped from a full pool): a bounded retry.
      entry.attempts += 1;
      const details = { record: id, attempt: entry.attempts, submittedAt: entry.submittedAt };
      if (entry.attempts >= FORGET_ATTEMPTS_MAX) {
        this.givenUp += 1;
        this.log.error(
          { ...details, givenUp: this.givenUp },
          "record.forgotten never committed; given up until the node restarts",
        );
        return true;
      }
      this.log.warn(details, "record.forgotten did not commit; erasing and submitting again");
    }
    // Only content uploaded for this record: a blob bound to another is that record's.
    const hashes = await this.content.heldFor(id, hashesOf(record));
    const local = this.services.local;
    if (hashes.length > 0) await local.put(reportKey(id), REPORT_NOTE);
    await this.content.erase(hashes);
    const owed = (await local.get(reportKey(id))) !== undefined;
    if (record.status === "forgotten") {
      if (owed) await local.del(reportKey(id));
      return true;
    }
    if (!owed) return true;
    await this.services.submit("record.forgotten", { id, custodian: org });
    entry.submittedAt = head.height;
    return false;
  }

  /** Clears the pending note of upload `hash` once the head anchors it as it was bound. */
  private async settle(hash: string): Promise<void> {
    const binding = await this.content.binding(hash);
    if (binding === null) return;
    if (await anchoredAsBound(this.services.head(), hash, binding)) {
      await this.content.settle(binding.uploader, hash);
    }
  }

  /**
   * Every SWEEP_INTERVAL_MS of head time (or now, `force`): each pending upload anchored as it
   * was bound is settled (its anchor committed unseen, while the node was down), and each
   * older than `pendingTtlMs` is erased. A failure is logged and left to the next sweep.
   */
  private async sweep(force: boolean): Promise<void> {
    const head = this.services.head();
    if (!force && this.sweptAt !== null && head.time - this.sweptAt < SWEEP_INTERVAL_MS) return;
    this.sweptAt = head.time;
    let after: string | null = null;
    try {
      for (;;) {
        const page = await this.content.pendingPage(after, SWEEP_PAGE);
        for (const upload of page) {
          if (this.stopped) return;
          await this.sweepOne(head, upload);
        }
        if (page.length < SWEEP_PAGE) return;
        after = ContentStore.pendingKeyOf(page.at(-1) as PendingUpload);
      }
    } catch (error) {
      this.log.warn({ err: error }, "sweep of uploads never anchored failed; tried again later");
    }
  }

  private async sweepOne(head: KeyValueReader & { time: number }, upload: PendingUpload) {
    const binding = await this.content.binding(upload.hash);
    if (binding !== null && (await anchoredAsBound(head, upload.hash, binding))) {
      await this.content.settle(upload.uploader, upload.hash);
    } else if (head.time - upload.time > this.settings.pendingTtlMs) {
      await this.content.erasePending(upload);
    }
  }
}
