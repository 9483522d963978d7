import {
  CareLedgerError,
  isSubject,
  type ModuleRoute,
  type ModuleRouteRequest,
  RECORD_VERSIONS_MAX,
  RecordClassSchema,
  RecordIdSchema,
  type RecordView,
  type RouteCaller,
} from "@careledger/protocol";
import { Type } from "@sinclair/typebox";
import type { ModuleServices } from "../../module.js";
import { latestVersion, readRecord } from "../state.js";
import { ContentStore, type UploadBinding } from "./contentStore.js";
import { checkNotForgotten, checkRead } from "./readCheck.js";
import { CUSTODIAN_DEFAULTS, type CustodianSettings } from "./settings.js";

const HashHex = Type.String({ pattern: "^[0-9a-f]{64}$" });
const KeyHex = Type.String({ pattern: "^[0-9a-f]{64}$" });
/** A version number as a query string carries it: 1..RECORD_VERSIONS_MAX, checked after. */
const VersionText = Type.String({ pattern: "^[1-9][0-9]{0,2}$" });
/** Roles that may upload content for their organization: those that may anchor it. */
const UPLOADER_ROLES: ReadonlySet<string> = new Set(["clinician", "staff"]);
/** Content is PHI: no cache on the way may keep a copy. */
const NO_STORE = { "cache-control": "no-store" };

export interface RecordRoutesOptions {
  /** The wall clock a read's head is judged against (NODE_BEHIND); Date.now by default. */
  readonly now?: () => number;
}

/** The verified caller of a signed route: the api never calls one without it. */
function callerOf(request: ModuleRouteRequest): RouteCaller {
  if (request.caller === null) throw new CareLedgerError("REQUEST_UNSIGNED");
  return request.caller;
}

/**
 * The custodian's routes, under `/v1/m/record`: `POST /content?record=&version=` encrypts and
 * stores a record version's content, bound to that version, and answers the hash to anchor;
 * `GET /content/:id?access=` answers the plaintext of the version a committed, permitted
 * `access.log` of the caller names.
 */
export function recordRoutes(
  services: ModuleServices,
  settings: CustodianSettings = CUSTODIAN_DEFAULTS,
  options: RecordRoutesOptions = {},
): ModuleRoute[] {
  const content = new ContentStore(services.local, services.keyEncryptionKey);
  const now = options.now ?? Date.now;
  return [uploadRoute(services, settings, content), readRoute(services, settings, content, now)];
}

/**
 * Runs uploads of one key one after the other: its quota is read, then its new upload written,
 * so two concurrent uploads cannot both pass a quota that has room for one.
 */
class PerKeyQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    // The tail never rejects: one upload's failure must not fail the next one's turn.
    const tail: Promise<unknown> = next
      .catch(() => undefined)
      .then(() => {
        if (this.tails.get(key) === tail) this.tails.delete(key);
      });
    this.tails.set(key, tail);
    return next;
  }
}

function uploadRoute(
  services: ModuleServices,
  settings: CustodianSettings,
  content: ContentStore,
): ModuleRoute {
  const queue = new PerKeyQueue();
  return {
    module: "record",
    method: "POST",
    path: "/content",
    summary:
      "Encrypts and stores a record version's content at this custodian, bound to that version; answers the hash to anchor.",
    access: "signed",
    // The API refuses a longer body before reading it (ENCODING_TOO_LARGE); a bound above the
    // API's own stops the node at start (api checkModuleRoutes).
    bodyBytesMax: settings.contentBytesMax,
    bodyTypes: ["application/octet-stream"],
    query: Type.Object(
      {
        record: RecordIdSchema,
        version: VersionText,
        // Version 1 only: the anchor to come names them; a later version's are the record's.
        patient: Type.Optional(KeyHex),
        class: Type.Optional(RecordClassSchema),
      },
      { additionalProperties: false },
    ),
    responseTypes: ["application/json"],
    response: Type.Object({ hash: HashHex }, { additionalProperties: false }),
    async handler(request) {
      const caller = callerOf(request);
      const org = await services.nodeOrg();
      if (org === null) {
        throw new CareLedgerError("FORBIDDEN", "this node is no member organization's node");
      }
      const roles = caller.identity?.roles ?? [];
      const uploader =
        !isSubject(caller) &&
        caller.identity?.org === org &&
        roles.some((role) => UPLOADER_ROLES.has(role));
      if (!uploader) {
        throw new CareLedgerError("FORBIDDEN", `only a clinician or staff of ${org} uploads here`);
      }
      const body = request.body;
      if (!(body instanceof Uint8Array) || body.byteLength === 0) {
        throw new CareLedgerError("BAD_REQUEST", "the content is the request's non-empty body");
      }
      if (body.byteLength > settings.contentBytesMax) {
        throw new CareLedgerError("RECORD_TOO_LARGE", `content of ${body.byteLength} bytes`, {
          bytesMax: settings.contentBytesMax,
        });
      }
      const binding = await bindingOf(services, content, org, caller.key, request.query);
      const hash = await queue.run(caller.key, async () => {
        await checkQuota(content, settings, caller.key, body.byteLength);
        return content.put(body, binding);
      });
      return { status: 201, contentType: "application/json", body: { hash } };
    },
  };
}

/**
 * What an upload is for, checked against the head: version 1 of a record that does not exist
 * yet (ALREADY_EXISTS), naming its patient and class; or the next version of an active record
 * of this organization (RECORD_NOT_FOUND, RECORD_FORGOTTEN, RECORD_NOT_HELD,
 * RECORD_VERSION_CONFLICT) whose version 1 this node holds: a record's content is pinned to the
 * node that received its first upload (README "Several nodes per organization"), so only that
 * node ever reports its erasure.
 */
async function bindingOf(
  services: ModuleServices,
  content: ContentStore,
  org: string,
  uploader: string,
  query: Readonly<Record<string, unknown>>,
): Promise<UploadBinding> {
  const id = query.record as string;
  const version = Number(query.version);
  if (version > RECORD_VERSIONS_MAX) {
    throw new CareLedgerError(
      "BAD_REQUEST",
      `a record has at most ${RECORD_VERSIONS_MAX} versions`,
    );
  }
  const head = services.head();
  const record = await readRecord(head, id);
  const given = { patient: query.patient as string | undefined, class: query.class as string };
  if (version === 1) {
    if (given.patient === undefined || given.class === undefined) {
      throw new CareLedgerError("BAD_REQUEST", "version 1 names the record's patient and class");
    }
    if (record !== null) throw new CareLedgerError("ALREADY_EXISTS", `record ${id} exists`);
    return {
      record: id,
      version,
      patient: given.patient,
      class: given.class,
      uploader,
      time: head.time,
    };
  }
  if (given.patient !== undefined || given.class !== undefined) {
    throw new CareLedgerError(
      "BAD_REQUEST",
      "a later version's patient and class are the record's",
    );
  }
  if (record === null) throw new CareLedgerError("RECORD_NOT_FOUND", `no record ${id}`);
  checkNotForgotten(record);
  if (record.custodian !== org) {
    throw new CareLedgerError("RECORD_NOT_HELD", `record ${id} is held by ${record.custodian}`);
  }
  if (latestVersion(record) !== version - 1) {
    throw new CareLedgerError(
      "RECORD_VERSION_CONFLICT",
      `record ${id} is at version ${latestVersion(record)}`,
    );
  }
  await checkPinnedHere(content, record);
  return {
    record: id,
    version,
    patient: record.patient,
    class: record.class,
    uploader,
    time: head.time,
  };
}

/** RECORD_NOT_HELD unless this node holds the record's version 1, bound to it. */
async function checkPinnedHere(content: ContentStore, record: RecordView): Promise<void> {
  const first = record.versions.find((entry) => entry.version === 1);
  const held = first === undefined ? [] : await content.heldFor(record.id, [first.hash]);
  if (held.length === 0) {
    throw new CareLedgerError(
      "RECORD_NOT_HELD",
      `record ${record.id}'s content is at the node that received its first version`,
    );
  }
}

/** UPLOAD_QUOTA when `uploader`'s uploads not anchored yet leave no room for `bytes` more. */
async function checkQuota(
  content: ContentStore,
  settings: CustodianSettings,
  uploader: string,
  bytes: number,
): Promise<void> {
  const pending = await content.pendingOf(uploader, settings.pendingUploadsMax);
  const pendingBytes = pending.reduce((sum, upload) => sum + upload.bytes, 0);
  if (
    pending.length >= settings.pendingUploadsMax ||
    pendingBytes + bytes > settings.pendingBytesMax
  ) {
    throw new CareLedgerError(
      "UPLOAD_QUOTA",
      `${pending.length} uploads of ${pendingBytes} bytes await their anchor`,
      {
        pendingUploadsMax: settings.pendingUploadsMax,
        pendingBytesMax: settings.pendingBytesMax,
      },
    );
  }
}

function readRoute(
  services: ModuleServices,
  settings: CustodianSettings,
  content: ContentStore,
  now: () => number,
): ModuleRoute {
  return {
    module: "record",
    method: "GET",
    path: "/content/:id",
    summary: "A record version's plaintext, for the reader of a committed permitted access.log.",
    access: "signed",
    params: Type.Object({ id: RecordIdSchema }, { additionalProperties: false }),
    query: Type.Object({ access: HashHex }, { additionalProperties: false }),
    responseTypes: ["application/octet-stream"],
    async handler(request) {
      const caller = callerOf(request);
      const id = request.params.id as string;
      const accessId = request.query.access as string;
      const { record, version } = await checkRead(services, settings, caller, id, accessId, now());
      const plaintext = await content.open(version.hash, {
        record: record.id,
        version: version.version,
        patient: record.patient,
        class: record.class,
      });
      // A forget may have committed while the content was read: it must not leave after it.
      const after = await readRecord(services.head(), id);
      if (after !== null) checkNotForgotten(after);
      return {
        status: 200,
        contentType: "application/octet-stream",
        headers: NO_STORE,
        body: plaintext,
      };
    },
  };
}
