/**
 * The record and access modules as far as the custodian's tests need them, until the real ones
 * (fix/modules) are merged: the contract's own entries and sender rules (enforced by the real
 * execution), a record stored exactly as the RecordView the contract defines, and an
 * `access.log` whose receipt carries an AccessResult. The decision here is a stand-in (the
 * custodian's own people and the patient are permitted, everyone else denied); the custodian
 * only reads the decision. Replace with the real modules when merging main.
 */
import {
  type AccessResult,
  type Canonical,
  type RecordView,
  TX_TYPES,
  toHex,
} from "@careledger/protocol";
import { governanceModule } from "../../governance/index.js";
import { identityModule } from "../../identity/index.js";
import { type IdentityRecord, identityKey } from "../../identity/state.js";
import { defineTxType, type LedgerModule, reject, type TxContext } from "../../module.js";
import type { LedgerContract } from "../../registry.js";
import { recordKey } from "./readCheck.js";

const stamp = (ctx: TxContext) => ({ height: ctx.height, time: ctx.time, by: ctx.sender });

async function recordAt(ctx: TxContext, id: string): Promise<RecordView> {
  const record = (await ctx.state.get(recordKey(id))) as RecordView | null;
  if (record === null) return reject("RECORD_NOT_FOUND", `no record ${id}`);
  return record;
}

const put = (ctx: TxContext, record: RecordView) =>
  ctx.state.put(recordKey(record.id), record as unknown as Canonical);

const anchor = defineTxType(TX_TYPES["record.anchor"], {
  async execute(ctx, payload) {
    if ((await ctx.state.get(recordKey(payload.id))) !== null) reject("ALREADY_EXISTS", "taken");
    put(ctx, {
      id: payload.id,
      patient: toHex(payload.patient),
      class: payload.class,
      custodian: payload.custodian,
      status: "active",
      versions: [{ version: 1, hash: toHex(payload.hash), anchored: stamp(ctx) }],
    });
  },
});

const amend = defineTxType(TX_TYPES["record.amend"], {
  async execute(ctx, payload) {
    const record = await recordAt(ctx, payload.id);
    if (record.custodian !== payload.custodian) reject("UNAUTHORIZED", "not the custodian");
    if (record.versions.length !== payload.previous) reject("RECORD_VERSION_CONFLICT", "stale");
    const version = {
      version: payload.previous + 1,
      hash: toHex(payload.hash),
      anchored: stamp(ctx),
    };
    put(ctx, { ...record, versions: [...record.versions, version] });
  },
});

const forget = defineTxType(TX_TYPES["record.forget"], {
  async execute(ctx, payload) {
    if (ctx.authorizedBy === null) reject("UNAUTHORIZED", "the stand-in knows no delegates");
    const record = await recordAt(ctx, payload.id);
    if (record.patient !== toHex(payload.patient)) reject("UNAUTHORIZED", "not the patient");
    if (record.status !== "active") reject("RECORD_FORGOTTEN", record.status);
    put(ctx, { ...record, status: "forgetting", forgetRequested: stamp(ctx) });
  },
});

const forgotten = defineTxType(TX_TYPES["record.forgotten"], {
  async execute(ctx, payload) {
    const record = await recordAt(ctx, payload.id);
    if (record.custodian !== payload.custodian) reject("UNAUTHORIZED", "not the custodian");
    if (record.status !== "forgetting") reject("RECORD_FORGOTTEN", record.status);
    put(ctx, { ...record, status: "forgotten", forgotten: stamp(ctx) });
  },
});

const accessLog = defineTxType(TX_TYPES["access.log"], {
  async execute(ctx, payload) {
    const record = await recordAt(ctx, payload.record);
    const version = payload.version ?? record.versions.length;
    if (version > record.versions.length) reject("RECORD_NOT_FOUND", `no version ${version}`);
    const who = (await ctx.state.get(identityKey(ctx.sender))) as IdentityRecord | null;
    const permitted = ctx.sender === record.patient || who?.org === record.custodian;
    const result: AccessResult = {
      decision: permitted ? "permit" : "deny",
      reason: ctx.sender === record.patient ? "own-record" : permitted ? "consent" : "no-consent",
      consent: null,
      breakGlass: false,
      accessor: ctx.sender,
      accessorOrg: who?.org ?? null,
      patient: record.patient,
      record: record.id,
      version,
      class: record.class,
      custodian: record.custodian,
      action: payload.action,
      purpose: payload.purpose,
    };
    ctx.result(result as unknown as Canonical);
  },
});

export const standInRecordModule: LedgerModule = {
  name: "record",
  txTypes: [anchor, amend, forget, forgotten],
  queries: [],
};

export const standInAccessModule: LedgerModule = {
  name: "access",
  uses: { record: "read", identity: "read" },
  txTypes: [accessLog],
  queries: [],
};

export const STAND_IN_MODULES: readonly LedgerModule[] = [
  identityModule,
  governanceModule,
  standInRecordModule,
  standInAccessModule,
];

/** The contract of exactly these modules: the protocol's own entries. */
export const STAND_IN_CONTRACT: LedgerContract = {
  txTypes: Object.fromEntries(
    STAND_IN_MODULES.flatMap((module) => module.txTypes).map((type) => [
      type.contract.type,
      type.contract,
    ]),
  ),
  queries: Object.fromEntries(
    STAND_IN_MODULES.flatMap((module) => module.queries).map((query) => [
      query.contract.name,
      query.contract,
    ]),
  ),
};
