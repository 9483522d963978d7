import {
  CareLedgerError,
  describeSenders,
  type ErrorCode,
  type SenderRule,
  type TxTypeContract,
} from "@careledger/protocol";
import { hexOf } from "../hex.js";
import {
  identityKey,
  orgKey,
  readIdentity,
  readOrganization,
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
    if (rule.rule === "orgAdmin") keys.push(orgKey(orgAt(fields, rule.orgField)));
    else if (rule.rule === "keyOrgAdmin") keys.push(identityKey(keyHexAt(fields, rule.keyField)));
  }
  return keys;
}

type Verdict = { readonly ok: true } | { readonly ok: false; code: ErrorCode; reason: string };

const admitted: Verdict = { ok: true };
const refused = (code: ErrorCode, reason: string): Verdict => ({ ok: false, code, reason });

/**
 * Enforces the contract's sender rules on the state the transaction runs on, before its handler.
 * Returns the first rule that admits the sender, or null when none does but a `handler` rule
 * remains (the handler must judge it). Otherwise throws: a missing object a rule names
 * (ORG_NOT_FOUND, NOT_FOUND) before UNAUTHORIZED, so a mistyped organization says so.
 */
export async function authorizeSender(
  state: StateReader,
  contract: TxTypeContract,
  payload: unknown,
  sender: string,
): Promise<SenderRule | null> {
  const verdicts: Verdict[] = [];
  for (const rule of contract.senders) {
    const verdict = await judge(state, rule, payload as Fields, sender);
    if (verdict.ok) return rule;
    verdicts.push(verdict);
  }
  if (contract.senders.some((rule) => rule.rule === "handler")) return null;
  const specific = verdicts.find((verdict) => !verdict.ok && verdict.code !== "UNAUTHORIZED");
  if (specific !== undefined && !specific.ok) {
    throw new CareLedgerError(specific.code, specific.reason);
  }
  throw new CareLedgerError(
    "UNAUTHORIZED",
    `${contract.type} may be sent by ${describeSenders(contract.senders)} only`,
  );
}

async function judge(
  state: StateReader,
  rule: SenderRule,
  payload: Fields,
  sender: string,
): Promise<Verdict> {
  switch (rule.rule) {
    case "orgAdmin": {
      const id = orgAt(payload, rule.orgField);
      const org = await readOrganization(state, id);
      if (org === null) return refused("ORG_NOT_FOUND", `no organization ${id}`);
      return org.adminKeys.includes(sender)
        ? admitted
        : refused("UNAUTHORIZED", `sender is not an admin of ${id}`);
    }
    case "keyOrgAdmin": {
      const record = await readIdentity(state, keyHexAt(payload, rule.keyField));
      if (record === null) return refused("NOT_FOUND", "key is not registered");
      const org = await readOrganization(state, record.org);
      return org?.adminKeys.includes(sender) === true
        ? admitted
        : refused("UNAUTHORIZED", `sender is not an admin of ${record.org}`);
    }
    case "self":
      return keyHexAt(payload, rule.keyField) === sender
        ? admitted
        : refused("UNAUTHORIZED", `sender is not the key in ${rule.keyField}`);
    case "role": {
      // A key revoked earlier in this block still acts in it (revocation counts from the next).
      const record = await readIdentity(state, sender);
      const roles: readonly string[] = rule.roles;
      const hasRole = record?.roles.some((role) => roles.includes(role)) === true;
      const inOrg = rule.orgField === undefined || record?.org === orgAt(payload, rule.orgField);
      return hasRole && inOrg ? admitted : refused("UNAUTHORIZED", "sender lacks the role");
    }
    case "handler":
      return refused("UNAUTHORIZED", rule.says);
  }
}
