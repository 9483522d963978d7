import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  CareLedgerError,
  type ConsentAction,
  checkQueryAccess,
  checkQueryParams,
  fromHex,
  nobleVerifier,
  type PurposeCode,
  QUERIES,
  type QueryCaller,
  type QueryName,
  REQUEST_KEY_HEADER,
  REQUEST_SIGNATURE_HEADER,
  REQUEST_TIME_HEADER,
  type RecordClass,
  requestSigningBytes,
  sha256,
  toHex,
} from "@careledger/protocol";
import { FakeCare } from "./fakeCare.testkit.js";
import { FakeNode, send } from "./fakeNode.testkit.js";

/**
 * The custodian's content routes and the module queries, on a FakeNode with FakeCare: signed
 * requests are verified as the api does (signature over chain, node, method, path with query,
 * exact body and time; a registered key), queries enforce the contract's own access rules
 * (protocol `checkQueryAccess`), and content is really encrypted (AES-256-GCM, a fresh key per
 * version), so the hash the upload answers is of ciphertext, as on a node.
 */

/** What an upload is for, as the node binds it: it opens only for this anchor. */
interface Binding {
  readonly record: string;
  readonly version: number;
  readonly patient: string;
  readonly class: string;
}

/** A query's parameters, checked against its contract. */
export type QueryParamsIn = Record<string, string | number | undefined>;

interface Stored {
  readonly key: Buffer;
  readonly nonce: Buffer;
  readonly binding: Binding;
  ciphertext: Buffer;
}

export class FakeCareRoutes {
  /** Stored versions by the hex SHA-256 of their ciphertext. */
  readonly store = new Map<string, Stored>();
  /** Largest upload, as a node's configurable bound. */
  contentBytesMax = 64 * 1024;
  /** Polls of record.get a forgetting record stays so before the custodian reports it erased. */
  forgottenAfterPolls = 1;
  /** Other modules' query answers (fakeClaims, fakeProvenance): undefined for a query not theirs. */
  readonly answers: Array<
    (name: string, params: QueryParamsIn, caller: QueryCaller | null) => unknown
  > = [];

  constructor(
    readonly node: FakeNode,
    readonly care: FakeCare,
  ) {
    node.extraRoutes.push(
      [
        "POST",
        /^\/v1\/m\/record\/content$/,
        (response, _match, context) => this.upload(response, context),
      ],
      [
        "GET",
        /^\/v1\/m\/record\/content\/([0-9a-f]{32})$/,
        (response, match, context) => this.content(response, match[1] ?? "", context),
      ],
      [
        "GET",
        /^\/v1\/query\/([a-zA-Z.]+)$/,
        (response, match, context) => this.query(response, match[1] ?? "", context),
      ],
    );
  }

  /** Flips a byte of a stored ciphertext: the next read of it must answer RECORD_TAMPERED. */
  tamper(hashHex: string): void {
    const stored = this.store.get(hashHex);
    if (stored === undefined) throw new Error(`nothing stored under ${hashHex}`);
    stored.ciphertext = Buffer.from(stored.ciphertext);
    stored.ciphertext[0] = (stored.ciphertext[0] ?? 0) ^ 1;
  }

  private caller(request: IncomingMessage, body: Uint8Array): QueryCaller {
    const header = (name: string) => {
      const value = request.headers[name];
      if (typeof value !== "string") throw new CareLedgerError("REQUEST_UNSIGNED");
      return value;
    };
    const key = header(REQUEST_KEY_HEADER);
    const time = Number(header(REQUEST_TIME_HEADER));
    const message = requestSigningBytes(
      this.node.chain.chainId,
      this.node.chain.validators[0] as Uint8Array,
      request.method ?? "",
      request.url ?? "",
      body,
      time,
    );
    const signature = fromHex(header(REQUEST_SIGNATURE_HEADER));
    if (!nobleVerifier.verify(fromHex(key), message, signature)) {
      throw new CareLedgerError("REQUEST_BAD_SIGNATURE");
    }
    const identity = this.care.identities.get(key) ?? null;
    const adminOf = [...this.care.admins].filter(([, keys]) => keys.has(key)).map(([org]) => org);
    if (identity === null && adminOf.length === 0) {
      throw new CareLedgerError("FORBIDDEN", "key is not registered on chain");
    }
    return { key, identity, adminOf };
  }

  private upload(
    response: ServerResponse,
    context: { request: IncomingMessage; url: URL; body: Uint8Array },
  ) {
    const caller = this.caller(context.request, context.body);
    if (context.request.headers["content-type"] !== "application/octet-stream") {
      throw new CareLedgerError("UNSUPPORTED_MEDIA_TYPE");
    }
    const staff = caller.identity?.roles.some((role) => role === "clinician" || role === "staff");
    if (caller.identity?.org !== this.care.custodian || !staff) {
      throw new CareLedgerError(
        "FORBIDDEN",
        "uploads are for the custodian's clinicians and staff",
      );
    }
    // The node's route bound is its contentBytesMax: the API refuses the body before reading it.
    if (context.body.byteLength > this.contentBytesMax)
      throw new CareLedgerError("ENCODING_TOO_LARGE");
    const binding = this.bindingOf(context.url.searchParams);
    const key = randomBytes(32);
    const nonce = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", key, nonce);
    const ciphertext = Buffer.concat([
      cipher.update(context.body),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
    const hash = toHex(sha256(ciphertext));
    this.store.set(hash, { key, nonce, binding, ciphertext });
    send(response, 201, { hash });
  }

  /** The upload's target, as the node checks it: a new record's version 1, or the next one. */
  private bindingOf(query: URLSearchParams): Binding {
    const record = query.get("record") ?? "";
    const version = Number(query.get("version"));
    if (!/^[0-9a-f]{32}$/.test(record) || !Number.isSafeInteger(version) || version < 1) {
      throw new CareLedgerError("BAD_REQUEST", "an upload names its record and version");
    }
    const existing = this.care.records.get(record);
    if (version === 1) {
      const patient = query.get("patient");
      const recordClass = query.get("class");
      if (patient === null || recordClass === null) throw new CareLedgerError("BAD_REQUEST");
      if (existing !== undefined) throw new CareLedgerError("ALREADY_EXISTS");
      return { record, version, patient, class: recordClass };
    }
    if (existing === undefined) throw new CareLedgerError("RECORD_NOT_FOUND");
    if (existing.versions.length !== version - 1) {
      throw new CareLedgerError("RECORD_VERSION_CONFLICT");
    }
    return { record, version, patient: existing.patient, class: existing.class };
  }

  private content(
    response: ServerResponse,
    id: string,
    context: { request: IncomingMessage; url: URL; body: Uint8Array },
  ) {
    const caller = this.caller(context.request, context.body);
    const access = this.care.accesses.get(context.url.searchParams.get("access") ?? "");
    if (access === undefined) throw new CareLedgerError("ACCESS_NOT_FOUND");
    if (access.accessor !== caller.key || access.record !== id) {
      throw new CareLedgerError("ACCESS_MISMATCH");
    }
    if (access.decision !== "permit") throw new CareLedgerError("ACCESS_DENIED", access.reason);
    const record = this.care.recordOf(id);
    if (record.status !== "active") throw new CareLedgerError("RECORD_FORGOTTEN");
    if (record.custodian !== this.care.custodian) throw new CareLedgerError("RECORD_NOT_HELD");
    const hash = record.versions[access.version - 1]?.hash ?? "";
    const stored = this.store.get(hash);
    if (stored === undefined) throw new CareLedgerError("RECORD_NOT_HELD");
    const bound = stored.binding;
    const anchored =
      bound.record === id &&
      bound.version === access.version &&
      bound.patient === record.patient &&
      bound.class === record.class;
    if (!anchored) throw new CareLedgerError("RECORD_NOT_HELD", "uploaded for another anchor");
    if (toHex(sha256(stored.ciphertext)) !== hash) throw new CareLedgerError("RECORD_TAMPERED");
    const decipher = createDecipheriv("aes-256-gcm", stored.key, stored.nonce);
    decipher.setAuthTag(stored.ciphertext.subarray(-16));
    const plaintext = Buffer.concat([
      decipher.update(stored.ciphertext.subarray(0, -16)),
      decipher.final(),
    ]);
    response.writeHead(200, { "content-type": "application/octet-stream" }).end(plaintext);
  }

  private query(
    response: ServerResponse,
    name: string,
    context: { request: IncomingMessage; url: URL; body: Uint8Array },
  ) {
    if (!Object.hasOwn(QUERIES, name)) throw new CareLedgerError("NOT_FOUND", `no query ${name}`);
    const contract = QUERIES[name as QueryName];
    // A public query answers unsigned requests as the api does; a signed one names its caller.
    const unsigned = context.request.headers[REQUEST_KEY_HEADER] === undefined;
    const isPublic = contract.access.some((rule) => rule.rule === "public");
    const caller = unsigned && isPublic ? null : this.caller(context.request, context.body);
    const params = checkQueryParams(
      contract,
      Object.fromEntries(context.url.searchParams),
    ) as Record<string, string | number | undefined>;
    const admitted = checkQueryAccess(contract, caller, params);
    // A `query` rule admits provisionally; for a patient's data it means a delegate in force.
    const patient = params.patient;
    const delegate =
      typeof patient === "string" &&
      caller !== null &&
      this.care.delegates.get(patient)?.has(caller.key);
    if (admitted.rule === "query" && "patient" in contract.params.properties && !delegate) {
      throw new CareLedgerError("FORBIDDEN", `${name} is for the patient and its delegates`);
    }
    for (const answer of this.answers) {
      const result = answer(name, params, caller);
      if (result !== undefined) return send(response, 200, { name, result });
    }
    send(response, 200, { name, result: this.answer(name, params, caller) });
  }

  private answer(name: string, params: QueryParamsIn, caller: QueryCaller | null): unknown {
    const care = this.care;
    const limit = typeof params.limit === "number" ? params.limit : 100;
    const offset = typeof params.cursor === "string" ? Number(params.cursor.slice(1)) : 0;
    const page = <T>(items: readonly T[]) => ({
      items: items.slice(offset, offset + limit),
      next: offset + limit < items.length ? `p${offset + limit}` : null,
    });
    const consents = [...care.consents.values()];
    const accesses = [...care.accesses.values()].reverse();
    switch (name) {
      case "consent.get":
        return care.consents.get(String(params.id)) ?? null;
      case "consent.ofPatient":
        return page(consents.filter((consent) => consent.patient === params.patient));
      case "consent.toOrg":
        return page(
          consents.filter(
            (consent) => "org" in consent.grantee && consent.grantee.org === params.org,
          ),
        );
      case "access.history":
        return page(accesses.filter((entry) => entry.patient === params.patient));
      case "access.breakGlass":
        return page(
          accesses.filter(
            (entry) => entry.breakGlass && entry.accessorOrg === params.org && !entry.review,
          ),
        );
      case "record.get": {
        const record = care.records.get(String(params.id)) ?? null;
        if (record === null) return null;
        const mayRead =
          caller?.key === record.patient || caller?.identity?.org === record.custodian;
        if (!mayRead) throw new CareLedgerError("FORBIDDEN");
        return this.reportErasure(record.id) ?? record;
      }
      case "record.ofPatient":
        return page(
          [...care.records.values()].filter((record) => record.patient === params.patient),
        );
      case "consent.decision": {
        const accessor = String(params.accessor);
        const record =
          params.record === undefined
            ? { patient: String(params.patient), class: params.class as RecordClass }
            : care.recordOf(String(params.record));
        const purpose = params.purpose as PurposeCode;
        const action = params.action as ConsentAction;
        return care.decide(accessor, care.identities.get(accessor), record, purpose, action);
      }
      default:
        throw new CareLedgerError("NOT_FOUND", `the fake node does not answer ${name}`);
    }
  }

  /** The custodian erases a forgetting record's content, then reports it after some polls. */
  private reportErasure(id: string) {
    const record = this.care.recordOf(id);
    if (!this.care.erasing.has(id)) return undefined;
    for (const version of record.versions) this.store.delete(version.hash);
    if (this.forgottenAfterPolls-- > 0) return undefined;
    this.care.erasing.delete(id);
    const forgotten = {
      height: this.node.height,
      time: this.node.height * 1_000,
      by: toHex(this.node.chain.validators[0] as Uint8Array),
    };
    const done = { ...record, status: "forgotten" as const, forgotten };
    this.care.records.set(id, done);
    return done;
  }
}

/** A fake node that is the custodian for `custodian`, with the care modules and routes. */
export async function startCareNode(custodian: string) {
  const node = await FakeNode.start();
  // Commits on the first poll: the helpers' waits are not what these tests are about.
  node.pendingPolls = 0;
  const care = new FakeCare(node, custodian);
  const routes = new FakeCareRoutes(node, care);
  return { node, care, routes };
}
