import type { IdentityRegisterPayload } from "@careledger/protocol";
import { hexOf } from "../../hex.js";
import type { IndexDefinition } from "../module.js";

export const MEMBERS_INDEX = "members";

/**
 * `members`: `<org>/<key hex>` for every key a committed `identity.register` bound to an
 * organization, valued by its height. Node-local: an organization's admin lists its people
 * without a scan of every identity in the state.
 */
export const membersIndex: IndexDefinition = {
  name: MEMBERS_INDEX,
  version: 1,
  feeds: ["identity.register"],
  entries({ payload, receipt, height }) {
    if (receipt.status !== "ok") return [];
    const { org, key } = payload as IdentityRegisterPayload;
    return [[`${org}/${hexOf(key)}`, height]];
  },
};
