import {
  CareLedgerError,
  describeSenders,
  type ErrorCode,
  type Organization,
  type SenderRule,
  type TxTypeContract,
} from "@careledger/protocol";
import { hexOf } from "../hex.js";
import {
  type IdentityRecord,
  identityKey,
  orgKey,
  type StateReader,
} from "../modules/identity/state.js";

type Fields = Readonly<Record<string, unknown>>;

const keyHexAt = (payload: Fields, field: string) => hexOf(payload[field] as Uint8Array);
const orgAt = (payload: Fields, field: string) => payload[field] as string;

/** The state keys the contract's sender rules read for this payload: prefetched with the block. */
export function senderRuleReads(contract: TxTypeContract, payload: unknown): string[] {
  const fields = payload as Fields;
  const keys: string[] = [];
  for (const rule of contract.senders) {
    if (rule.rule === "orgAdmin" || rule.rule === "orgNode") {
      keys.push(orgKey(orgAt(fields, rule.orgField)));
    } else if (rule.rule === "keyOrgAdmin") keys.push(identityKey(keyHexAt(fields, rule.keyField)));
  }
  return keys;
}

type Verdict = { readonly ok: true } | { readonly ok: false; code: ErrorCode; reason: string };

const admitted: Verdict = { ok: true };
const refused = (code: ErrorCode, reason: string): Verdict => ({ ok: false, code, reason });

/** A value now, or later when a read had to wait for the disk. */
type Maybe<T> = T | Promise<T>;

/** `then` without a microtask when the value is already here (the common case: prefetched). */
function after<T, R>(value: Maybe<T>, next: (value: T) => Maybe<R>): Maybe<R> {
  return value instanceof Promise ? value.then(next) : next(value);
}

/**
 * Enforces the contract's sender rules on the state the transaction runs on, before its handler.
 * Returns the first rule that admits the sender, or null when none does but a `handler` rule
 * remains (the handler must judge it). Otherwise throws: a missing object a rule names
 * (ORG_NOT_FOUND, NOT_FOUND) before UNAUTHORIZED, so a mistyped organization says so.
 * Synchronous when every key a rule reads is in memory (the block prefetched them): this runs
 * for every transaction, and two async frames each cost more than the rule itself.
 */
export function authorizeSender(
  state: StateReader,
  contract: TxTypeContract,
  payload: unknown,
  sender: string,
): Maybe<SenderRule | null> {
  return judgeFrom(state, contract, payload as Fields, sender, 0, undefined);
}

/** Judges the rules from `index` on; `specific` is the first refusal that is not UNAUTHORIZED. */
function judgeFrom(
  state: StateReader,
  contract: TxTypeContract,
  payload: Fields,
  sender: string,
  index: number,
  specific: Verdict | undefined,
): Maybe<SenderRule | null> {
  const rules = contract.senders;
  for (let i = index; i < rules.length; i++) {
    const rule = rules[i] as SenderRule;
    const verdict = judge(state, rule, payload, sender);
    if (verdict instanceof Promise) {
      return verdict.then((settled) =>
        settled.ok
          ? rule
          : judgeFrom(state, contract, payload, sender, i + 1, firstSpecific(specific, settled)),
      );
    }
    if (verdict.ok) return rule;
    specific = firstSpecific(specific, verdict);
  }
  if (rules.some((rule) => rule.rule === "handler")) return null;
  if (specific !== undefined && !specific.ok) {
    throw new CareLedgerError(specific.code, specific.reason);
  }
  throw new CareLedgerError(
    "UNAUTHORIZED",
    `${contract.type} may be sent by ${describeSenders(rules)} only`,
  );
}

const firstSpecific = (specific: Verdict | undefined, verdict: Verdict) =>
  specific === undefined && !verdict.ok && verdict.code !== "UNAUTHORIZED" ? verdict : specific;

const readOrganizationNow = (state: StateReader, id: string) =>
  state.get(orgKey(id)) as Maybe<Organization | null>;
const readIdentityNow = (state: StateReader, keyHex: string) =>
  state.get(identityKey(keyHex)) as Maybe<IdentityRecord | null>;

function judge(
  state: StateReader,
  rule: SenderRule,
  payload: Fields,
  sender: string,
): Maybe<Verdict> {
  switch (rule.rule) {
    case "orgAdmin": {
      const id = orgAt(payload, rule.orgField);
      return after(readOrganizationNow(state, id), (org) => {
        if (org === null) return refused("ORG_NOT_FOUND", `no organization ${id}`);
        return org.adminKeys.includes(sender)
          ? admitted
          : refused("UNAUTHORIZED", `sender is not an admin of ${id}`);
      });
    }
    case "orgNode": {
      const id = orgAt(payload, rule.orgField);
      return after(readOrganizationNow(state, id), (org) => {
        if (org === null) return refused("ORG_NOT_FOUND", `no organization ${id}`);
        return org.nodeKeys.includes(sender)
          ? admitted
          : refused("UNAUTHORIZED", `sender is not a node of ${id}`);
      });
    }
    case "keyOrgAdmin":
      return after(readIdentityNow(state, keyHexAt(payload, rule.keyField)), (record) => {
        if (record === null) return refused("NOT_FOUND", "key is not registered");
        return after(readOrganizationNow(state, record.org), (org) =>
          org?.adminKeys.includes(sender) === true
            ? admitted
            : refused("UNAUTHORIZED", `sender is not an admin of ${record.org}`),
        );
      });
    case "self":
      return keyHexAt(payload, rule.keyField) === sender
        ? admitted
        : refused("UNAUTHORIZED", `sender is not the key in ${rule.keyField}`);
    case "role":
      // A key revoked earlier in this block still acts in it (revocation counts from the next).
      return after(readIdentityNow(state, sender), (record) => {
        const roles: readonly string[] = rule.roles;
        const hasRole = record?.roles.some((role) => roles.includes(role)) === true;
        const inOrg = rule.orgField === undefined || record?.org === orgAt(payload, rule.orgField);
        return hasRole && inOrg ? admitted : refused("UNAUTHORIZED", "sender lacks the role");
      });
    case "handler":
      return refused("UNAUTHORIZED", rule.says);
  }
}
