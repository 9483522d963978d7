import type { ConsentGrantPayload } from "@careledger/protocol";
import { hexOf } from "../../hex.js";
import type { IndexDefinition } from "../module.js";

export const BY_PATIENT_INDEX = "byPatient";
export const BY_KEY_INDEX = "byKey";
export const BY_ORG_INDEX = "byOrg";

const granted = (committed: Parameters<IndexDefinition["entries"]>[0]) =>
  committed.receipt.status === "ok" ? (committed.payload as ConsentGrantPayload) : null;

/** `byPatient`: `<patient>/<consent id>` for every committed grant: a patient's consents. */
export const consentsByPatient: IndexDefinition = {
  name: BY_PATIENT_INDEX,
  version: 1,
  feeds: ["consent.grant"],
  entries(committed) {
    const grant = granted(committed);
    if (grant === null) return [];
    return [[`${hexOf(grant.patient)}/${grant.id}`, committed.height]];
  },
};

/** `byKey`: `<grantee key>/<patient>/<consent id>`: the consents naming a key. */
export const consentsByKey: IndexDefinition = {
  name: BY_KEY_INDEX,
  version: 1,
  feeds: ["consent.grant"],
  entries(committed) {
    const grant = granted(committed);
    if (grant === null || !("key" in grant.grantee)) return [];
    const key = `${hexOf(grant.grantee.key)}/${hexOf(grant.patient)}/${grant.id}`;
    return [[key, committed.height]];
  },
};

/** `byOrg`: `<grantee org>/<patient>/<consent id>`: the consents naming an organization. */
export const consentsByOrg: IndexDefinition = {
  name: BY_ORG_INDEX,
  version: 1,
  feeds: ["consent.grant"],
  entries(committed) {
    const grant = granted(committed);
    if (grant === null || !("org" in grant.grantee)) return [];
    return [[`${grant.grantee.org}/${hexOf(grant.patient)}/${grant.id}`, committed.height]];
  },
};
