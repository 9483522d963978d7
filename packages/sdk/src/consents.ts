import type {
  ConsentAction,
  ConsentDeny,
  PurposeCode,
  QueryResultJson,
  RecordClass,
} from "@careledger/protocol";
import { Caller, type CommitOptions, type KeyInput, keyBytes, keyHex, randomId } from "./caller.js";
import type { CareLedgerClient } from "./client.js";
import { allItems, type Page, type PageOptions } from "./paging.js";
import type { CommittedTx } from "./wait.js";

export type ConsentViewJson = NonNullable<QueryResultJson<"consent.get">>;
export type DelegationViewJson = QueryResultJson<"consent.delegates">[number];
export type AccessDecisionJson = QueryResultJson<"consent.decision">;

/** When something is in force, in ms since the epoch; open-ended without `end`. */
export interface PeriodInput {
  readonly start: number;
  readonly end?: number;
}

export interface GrantInput {
  /** 32 hex digits; a fresh random 128-bit id when absent. */
  readonly id?: string;
  /** The patient granting; the caller's own key when absent (a delegate names the patient). */
  readonly patient?: KeyInput;
  /** One key, or an organization: its keys whose role fits the purpose (TREAT: clinicians and pharmacists; HPAYMT: insurer agents; ledger README). */
  readonly grantee: { readonly key: KeyInput } | { readonly org: string };
  readonly actions: readonly ConsentAction[];
  /** Matched by the v3 ActReason is-a hierarchy: TREAT covers ETREAT and BTG. */
  readonly purposes: readonly PurposeCode[];
  /** Record classes, or specific records; all the patient's records when neither is given. */
  readonly classes?: readonly RecordClass[];
  readonly records?: readonly string[];
  /** From the chain's head time, open-ended, when absent. */
  readonly period?: PeriodInput;
  /** Exceptions that override the permit (each with its own exceptions back). */
  readonly deny?: readonly ConsentDeny[];
}

/** A hypothetical access to decide, as `access.log` would at `time` (the head's when absent). */
export interface DecisionInput {
  /** The caller's own key when absent. */
  readonly accessor?: KeyInput;
  readonly record?: string;
  readonly patient?: KeyInput;
  readonly class?: RecordClass;
  /** `access` when absent. */
  readonly action?: ConsentAction;
  readonly purpose: PurposeCode;
  readonly time?: number;
}

/**
 * Consents as the client's signer uses them: a patient (or its delegate) grants and revokes,
 * names delegates; anyone entitled reads a patient's consents and asks for decisions. Writes
 * resolve after their commit; reads are queries signed by that key.
 */
export class Consents {
  private readonly caller: Caller;

  constructor(client: CareLedgerClient) {
    this.caller = new Caller(client);
  }

  /** Grants a consent (`consent.grant`) and resolves with its id once it committed. */
  async grant(input: GrantInput, options: CommitOptions = {}): Promise<string> {
    const id = input.id ?? randomId();
    const grantee =
      "key" in input.grantee ? { key: keyBytes(input.grantee.key) } : { org: input.grantee.org };
    const period = input.period ?? { start: await this.headTime() };
    await this.caller.commit(
      "consent.grant",
      {
        id,
        patient: keyBytes(input.patient ?? this.caller.key),
        grantee,
        actions: [...input.actions],
        purposes: [...input.purposes],
        ...(input.classes !== undefined && { classes: [...input.classes] }),
        ...(input.records !== undefined && { records: [...input.records] }),
        period: { start: period.start, ...(period.end !== undefined && { end: period.end }) },
        ...(input.deny !== undefined && { deny: [...input.deny] }),
      },
      options,
    );
    return id;
  }

  /** Revokes a consent from the block that commits this on (the caller's own when no patient). */
  revoke(
    id: string,
    options: CommitOptions & { readonly patient?: KeyInput } = {},
  ): Promise<CommittedTx> {
    const patient = keyBytes(options.patient ?? this.caller.key);
    return this.caller.commit("consent.revoke", { id, patient }, options);
  }

  /** One consent, or null. */
  get(id: string): Promise<QueryResultJson<"consent.get">> {
    return this.caller.client.query("consent.get", { id });
  }

  /** A page of a patient's consents, in id order (the caller's own by default). */
  list(
    patient: KeyInput = this.caller.key,
    page: PageOptions = {},
  ): Promise<Page<ConsentViewJson>> {
    return this.caller.client.query("consent.ofPatient", { patient: keyHex(patient), ...page });
  }

  /** Every consent of a patient, page after page. */
  listAll(
    patient: KeyInput = this.caller.key,
    options: PageOptions = {},
  ): AsyncGenerator<ConsentViewJson> {
    return allItems((page) => this.list(patient, page), options);
  }

  /** A page of the consents naming a key as grantee (the caller's own by default). */
  toKey(key: KeyInput = this.caller.key, page: PageOptions = {}): Promise<Page<ConsentViewJson>> {
    return this.caller.client.query("consent.toKey", { key: keyHex(key), ...page });
  }

  /** A page of the consents naming an organization as grantee. */
  toOrg(org: string, page: PageOptions = {}): Promise<Page<ConsentViewJson>> {
    return this.caller.client.query("consent.toOrg", { org, ...page });
  }

  /** Names a guardian or proxy who may act for the patient (the caller) in `period`. */
  async delegate(
    input: { readonly delegate: KeyInput; readonly period?: PeriodInput },
    options: CommitOptions = {},
  ): Promise<CommittedTx> {
    const period = input.period ?? { start: await this.headTime() };
    return this.caller.commit(
      "consent.delegate",
      {
        patient: keyBytes(this.caller.key),
        delegate: keyBytes(input.delegate),
        period: { start: period.start, ...(period.end !== undefined && { end: period.end }) },
      },
      options,
    );
  }

  /** Ends a delegation at once: by the patient, or by the delegate itself naming the patient. */
  undelegate(
    input: { readonly patient?: KeyInput; readonly delegate?: KeyInput },
    options: CommitOptions = {},
  ): Promise<CommittedTx> {
    return this.caller.commit(
      "consent.undelegate",
      {
        patient: keyBytes(input.patient ?? this.caller.key),
        delegate: keyBytes(input.delegate ?? this.caller.key),
      },
      options,
    );
  }

  /** Who may act for a patient (the caller by default): its delegations, current and ended. */
  delegates(patient: KeyInput = this.caller.key): Promise<QueryResultJson<"consent.delegates">> {
    return this.caller.client.query("consent.delegates", { patient: keyHex(patient) });
  }

  /** The decision `access.log` would reach for a hypothetical access, with its reason. */
  decision(input: DecisionInput): Promise<AccessDecisionJson> {
    return this.caller.client.query("consent.decision", {
      accessor: keyHex(input.accessor ?? this.caller.key),
      action: input.action ?? "access",
      purpose: input.purpose,
      ...(input.record !== undefined && { record: input.record }),
      ...(input.patient !== undefined && { patient: keyHex(input.patient) }),
      ...(input.class !== undefined && { class: input.class }),
      ...(input.time !== undefined && { time: input.time }),
    });
  }

  /** The head block's time: a period that starts now by the chain's clock, not this machine's. */
  private async headTime(): Promise<number> {
    return (await this.caller.client.getBlock("latest")).header.time;
  }
}
