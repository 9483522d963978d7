import { type Canonical, QUERIES } from "@careledger/protocol";
import { admittedByContract, requireDelegate } from "../consent/queries.js";
import { definePagedQuery, type Query, scanPage } from "../module.js";
import { CUSTODIAN_INDEX, HISTORY_INDEX } from "./indexes.js";
import { breakGlassPrefix } from "./state.js";

/** `access.history`: the patient, its delegates in force, operators; newest first. */
const history = definePagedQuery(
  QUERIES["access.history"],
  async (reader, params, caller, page) => {
    if (caller !== null && !admittedByContract(QUERIES["access.history"], caller, params)) {
      await requireDelegate(reader, params.patient, caller);
    }
    const index = reader.index(HISTORY_INDEX);
    const { entries, resumeAfter } = await scanPage(index, `${params.patient}/`, page);
    return { items: entries.map(([, entry]) => entry), resumeAfter };
  },
);

/** `access.ofCustodian`: accesses to the organization's records, newest first. */
const ofCustodian = definePagedQuery(
  QUERIES["access.ofCustodian"],
  async (reader, { org }, _caller, page) => {
    const index = reader.index(CUSTODIAN_INDEX);
    const history = reader.index(HISTORY_INDEX);
    const { entries, resumeAfter } = await scanPage(index, `${org}/`, page);
    const items: Canonical[] = [];
    for (const [, historyKey] of entries) {
      const entry = await history.get(historyKey as string);
      if (entry !== null) items.push(entry);
    }
    return { items, resumeAfter };
  },
);

/**
 * `access.breakGlass`: the organization's break-the-glass accesses still awaiting review, from
 * the state (access.review removes them), in access id order.
 */
const breakGlass = definePagedQuery(
  QUERIES["access.breakGlass"],
  async (reader, { org }, _caller, page) => {
    const { entries, resumeAfter } = await scanPage(reader, breakGlassPrefix(org), page);
    return { items: entries.map(([, entry]) => entry as Canonical), resumeAfter };
  },
);

export const accessQueries: readonly Query[] = [history, ofCustodian, breakGlass];
