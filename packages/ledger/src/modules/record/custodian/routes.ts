import {
  CareLedgerError,
  isSubject,
  type ModuleRoute,
  type ModuleRouteRequest,
  RecordIdSchema,
  type RouteCaller,
} from "@careledger/protocol";
import { Type } from "@sinclair/typebox";
import type { ModuleServices } from "../../module.js";
import { readRecord } from "../state.js";
import { ContentStore } from "./contentStore.js";
import { checkNotForgotten, checkRead } from "./readCheck.js";
import { CUSTODIAN_DEFAULTS, type CustodianSettings } from "./settings.js";

const HashHex = Type.String({ pattern: "^[0-9a-f]{64}$" });
/** Roles that may upload content for their organization: those that may anchor it. */
const UPLOADER_ROLES: ReadonlySet<string> = new Set(["clinician", "staff"]);
/** Content is PHI: no cache on the way may keep a copy. */
const NO_STORE = { "cache-control": "no-store" };

/** The verified caller of a signed route: the api never calls one without it. */
function callerOf(request: ModuleRouteRequest): RouteCaller {
  if (request.caller === null) throw new CareLedgerError("REQUEST_UNSIGNED");
  return request.caller;
}

/**
 * The custodian's routes, under `/v1/m/record`: `POST /content` encrypts and stores a record's
 * content and answers the hash to anchor; `GET /content/:id?access=` answers the plaintext of
 * the version a committed, permitted `access.log` of the caller names.
 */
export function recordRoutes(
  services: ModuleServices,
  settings: CustodianSettings = CUSTODIAN_DEFAULTS,
): ModuleRoute[] {
  const content = new ContentStore(services.local, services.keyEncryptionKey);
  return [uploadRoute(services, settings, content), readRoute(services, settings, content)];
}

function uploadRoute(
  services: ModuleServices,
  settings: CustodianSettings,
  content: ContentStore,
): ModuleRoute {
  return {
    module: "record",
    method: "POST",
    path: "/content",
    summary:
      "Encrypts and stores a record's content at this custodian; answers the hash to anchor.",
    access: "signed",
    // No route bound: up to the server's, an oversized upload answers RECORD_TOO_LARGE.
    bodyTypes: ["application/octet-stream"],
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
      return {
        status: 201,
        contentType: "application/json",
        body: { hash: await content.put(body) },
      };
    },
  };
}

function readRoute(
  services: ModuleServices,
  settings: CustodianSettings,
  content: ContentStore,
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
      const { version } = await checkRead(services, settings, caller, id, accessId);
      const plaintext = await content.open(version.hash);
      // A forget may have committed while the content was read: it must not leave after it.
      const now = await readRecord(services.head(), id);
      if (now !== null) checkNotForgotten(now);
      return {
        status: 200,
        contentType: "application/octet-stream",
        headers: NO_STORE,
        body: plaintext,
      };
    },
  };
}
