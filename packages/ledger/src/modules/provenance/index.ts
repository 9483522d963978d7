import type { LedgerModule } from "../module.js";
import { casePack, caseUnpack } from "./aggregation.js";
import { productRegister } from "./catalog.js";
import { packCommission } from "./commission.js";
import {
  eventsByCase,
  eventsByKind,
  eventsByLot,
  eventsByPack,
  packsByLot,
  provenanceEvents,
} from "./indexes.js";
import { packDecommission, packDispense } from "./lifecycle.js";
import { provenanceQueries } from "./queries.js";
import { lotRecall, packClear, packSuspect } from "./recalls.js";
import { provenanceRoutes } from "./responder/routes.js";
import { packReceive, packShip } from "./shipping.js";

/**
 * Drug provenance under `provenance/` (state.ts): products by GTIN, serialised packs, cases by
 * SSCC, recalls, suspicions and each organization's inventory. Reads identity (organizations,
 * their GS1 company prefixes and kinds). Raw state stays closed: who holds what is commercial
 * data, readable only through the queries' rules (the public verifies at a Digital Link, through the responder). Its
 * routes (responder/) answer DSCSA verification at a pack's Digital Link and EPCIS 2.0 queries.
 */
export const provenanceModule: LedgerModule = {
  name: "provenance",
  uses: { identity: "read" },
  txTypes: [
    productRegister,
    packCommission,
    casePack,
    caseUnpack,
    packShip,
    packReceive,
    packDispense,
    packDecommission,
    lotRecall,
    packSuspect,
    packClear,
  ],
  queries: provenanceQueries,
  indexes: [provenanceEvents, eventsByKind, eventsByPack, eventsByCase, eventsByLot, packsByLot],
  routes: provenanceRoutes,
};
