import { consentResource } from "@careledger/fhir";
import {
  CareLedgerError,
  ConsentIdSchema,
  type ConsentView,
  type ModuleRoute,
} from "@careledger/protocol";
import { Type } from "@sinclair/typebox";
import type { ModuleServices } from "../module.js";

/**
 * `GET /fhir/R4/Consent/:id`: a consent as a FHIR R4 Consent (@careledger/fhir renders it). The
 * answer is `consent.get`'s, run for the caller with that query's access rules, so the FHIR
 * route shows no one more than the query would.
 */
export function consentFhirRoutes(services: ModuleServices): readonly ModuleRoute[] {
  return [
    {
      module: "consent",
      method: "GET",
      path: "/Consent/:id",
      fhir: { resource: "Consent", interaction: "read" },
      summary: "A consent as a FHIR R4 Consent (inactive once revoked or expired)",
      access: "signed",
      params: Type.Object({ id: ConsentIdSchema }, { additionalProperties: false }),
      responseTypes: ["application/fhir+json"],
      async handler({ params, caller }) {
        const id = params.id as string;
        const view = (await services.query("consent.get", { id }, caller)) as ConsentView | null;
        if (view === null) throw new CareLedgerError("CONSENT_NOT_FOUND", `no consent ${id}`);
        return { status: 200, contentType: "application/fhir+json", body: consentResource(view) };
      },
    },
  ];
}
