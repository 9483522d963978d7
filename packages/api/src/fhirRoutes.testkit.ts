import { CareLedgerError, type ModuleRoute } from "@careledger/protocol";
import { type TSchema, Type } from "@sinclair/typebox";
import type { NodeApi } from "./nodeApi.js";

/**
 * Module routes as the consent, access and provenance modules declare them, for the api's
 * tests of FHIR mounting, the OpenAPI document and the route-by-caller table.
 */

export const CONSENT_ID = "c".repeat(32);
export const PATIENT = "ab".repeat(32);
/** The organization that holds the one consent (memoryNode's callers of "hospital"). */
export const CUSTODIAN_ORG = "hospital";

/** `GET /fhir/R4/Consent/:id`: signed, for keys registered at CUSTODIAN_ORG; one consent exists. */
export const consentRead: ModuleRoute = {
  module: "consent",
  method: "GET",
  path: "/Consent/:id",
  fhir: { resource: "Consent", interaction: "read" },
  summary: "A consent as a FHIR Consent",
  access: "signed",
  params: Type.Object({ id: Type.String({ pattern: "^[0-9a-f]{32}$" }) }),
  responseTypes: ["application/fhir+json"],
  handler: async ({ params, caller }) => {
    if (caller?.identity?.org !== CUSTODIAN_ORG)
      throw new CareLedgerError("FORBIDDEN", "not yours");
    if (params.id !== CONSENT_ID) throw new CareLedgerError("NOT_FOUND", "no such consent");
    return {
      status: 200,
      contentType: "application/fhir+json",
      body: { resourceType: "Consent", id: params.id, status: "active" },
    };
  },
};

/** `GET /fhir/R4/AuditEvent?patient=<key>`: signed, a searchset Bundle. */
export const auditSearch: ModuleRoute = {
  module: "access",
  method: "GET",
  path: "/AuditEvent",
  fhir: {
    resource: "AuditEvent",
    interaction: "search-type",
    searchParams: [{ name: "patient", type: "reference", documentation: "the patient's key" }],
  },
  summary: "A patient's access history as a searchset Bundle of AuditEvent",
  access: "signed",
  query: Type.Object(
    { patient: Type.String({ pattern: "^[0-9a-f]{64}$" }) },
    { additionalProperties: false },
  ),
  responseTypes: ["application/fhir+json"],
  handler: async ({ query }) => ({
    status: 200,
    contentType: "application/fhir+json",
    body: { resourceType: "Bundle", type: "searchset", total: 0, patient: query.patient },
  }),
};

/** `GET /v1/m/provenance/items/:gtin`: a public JSON route under its module. */
export const itemRead: ModuleRoute = {
  module: "provenance",
  method: "GET",
  path: "/items/:gtin",
  summary: "A trade item by GTIN",
  access: "public",
  params: Type.Object({ gtin: Type.String({ pattern: "^[0-9]{14}$" }) }),
  responseTypes: ["application/json"],
  response: Type.Object({ gtin: Type.String() }),
  handler: async ({ params }) => ({
    status: 200,
    contentType: "application/json",
    body: { gtin: params.gtin },
  }),
};

/**
 * `GET /01/:gtin/21/:serial`: a root route answering anyone, and a signed caller more, as the
 * provenance module's verification responder does.
 */
export const packVerify: ModuleRoute = {
  module: "provenance",
  method: "GET",
  path: "/01/:gtin/21/:serial",
  root: true,
  summary: "A pack's verification at its Digital Link",
  access: "public-or-signed",
  params: Type.Object({ gtin: Type.String(), serial: Type.String() }),
  responseTypes: ["application/json"],
  response: Type.Object({ verified: Type.Boolean(), custodian: Type.Optional(Type.String()) }),
  handler: async ({ caller }) => ({
    status: 200,
    contentType: "application/json",
    body: { verified: true, ...(caller?.identity != null && { custodian: CUSTODIAN_ORG }) },
  }),
};

/** `GET /epcis/events`: a signed root route, as the EPCIS 2.0 query interface is. */
export const epcisEvents: ModuleRoute = {
  module: "provenance",
  method: "GET",
  path: "/epcis/events",
  root: true,
  summary: "EPCIS events the caller may see",
  access: "signed",
  responseTypes: ["application/json"],
  handler: async () => ({
    status: 200,
    contentType: "application/json",
    body: { type: "EPCISQueryDocument" },
  }),
};

export const SAMPLE_MODULE_ROUTES: readonly ModuleRoute[] = [
  consentRead,
  auditSearch,
  itemRead,
  packVerify,
  epcisEvents,
];

const FHIR_ID = Type.String({ pattern: "^[0-9a-f]{32}$" });
const MEMBER_REFERENCE = Type.String({ pattern: "^(Patient/)?[0-9a-f]{64}$" });

/**
 * The claims module's FHIR routes as the ledger declares them (ledger claims/fhirRoutes.ts),
 * each answering the claims query it renders on `node`, for the caller: the rows of the
 * route-by-caller table then say who each route shows something to, as the query decides.
 */
export function claimsFhirSampleRoutes(node: Pick<NodeApi, "query">): ModuleRoute[] {
  const route = (
    resource: "Claim" | "ClaimResponse" | "Coverage",
    search: string | null,
    queryName: string,
  ): ModuleRoute => ({
    module: "claims",
    method: "GET",
    path: search === null ? `/${resource}/:id` : `/${resource}`,
    fhir:
      search === null
        ? { resource, interaction: "read" }
        : {
            resource,
            interaction: "search-type",
            searchParams: [{ name: search, type: "reference", documentation: "the member's key" }],
          },
    summary: `${resource} ${search === null ? "by id" : `by ${search}`}`,
    access: "signed",
    ...(search === null
      ? { params: Type.Object({ id: FHIR_ID }) }
      : {
          query: Type.Object({ [search]: MEMBER_REFERENCE } as Record<string, TSchema>, {
            additionalProperties: false,
          }),
        }),
    responseTypes: ["application/fhir+json"],
    handler: async ({ params, query, caller }) => {
      const args: Record<string, string> =
        search === null
          ? { id: params.id as string }
          : { member: (query[search] as string).replace(/^Patient\//, "") };
      await node.query(queryName, args, caller);
      return {
        status: 200,
        contentType: "application/fhir+json",
        body: { resourceType: resource },
      };
    },
  });
  return [
    route("Claim", null, "claim.get"),
    route("ClaimResponse", null, "claim.get"),
    route("Coverage", null, "coverage.get"),
    route("Claim", "patient", "claim.ofMember"),
    route("ClaimResponse", "patient", "claim.ofMember"),
    route("Coverage", "beneficiary", "coverage.ofMember"),
  ];
}
