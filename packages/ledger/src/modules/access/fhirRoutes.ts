import {
  auditEventBundle,
  FHIR_COUNT_PARAM,
  FHIR_CURSOR_PARAM,
  type ResultPage,
} from "@careledger/fhir";
import {
  type AccessEntry,
  FHIR_BASE,
  type ModuleRoute,
  QUERY_CURSOR_CHARS_MAX,
  QUERY_PAGE_ITEMS_MAX,
} from "@careledger/protocol";
import { Type } from "@sinclair/typebox";
import type { ModuleServices } from "../module.js";

/** A FHIR reference search value: `Patient/<key>` or the bare key, as FHIR search allows. */
const PATIENT_REFERENCE = "^(Patient/)?[0-9a-f]{64}$";

/**
 * `GET /fhir/R4/AuditEvent?patient=<key>`: a patient's access history (`access.history`, run for
 * the caller with its access rules) as a searchset Bundle of AuditEvent, newest first, paged by
 * `_count` and the `_cursor` of the Bundle's `next` link.
 */
export function accessFhirRoutes(services: ModuleServices): readonly ModuleRoute[] {
  return [
    {
      module: "access",
      method: "GET",
      path: "/AuditEvent",
      fhir: {
        resource: "AuditEvent",
        interaction: "search-type",
        searchParams: [
          {
            name: "patient",
            type: "reference",
            documentation: "The patient's key (Patient/<key hex> or the bare hex); required.",
          },
        ],
      },
      summary: "A patient's access history as a searchset Bundle of FHIR R4 AuditEvent",
      access: "signed",
      query: Type.Object(
        {
          patient: Type.String({ pattern: PATIENT_REFERENCE }),
          [FHIR_COUNT_PARAM]: Type.Optional(
            Type.Integer({ minimum: 1, maximum: QUERY_PAGE_ITEMS_MAX }),
          ),
          [FHIR_CURSOR_PARAM]: Type.Optional(
            Type.String({ minLength: 1, maxLength: QUERY_CURSOR_CHARS_MAX }),
          ),
        },
        { additionalProperties: false },
      ),
      responseTypes: ["application/fhir+json"],
      async handler({ query, caller, origin }) {
        const patient = (query.patient as string).replace(/^Patient\//, "");
        const count = query[FHIR_COUNT_PARAM] as number | undefined;
        const cursor = query[FHIR_CURSOR_PARAM] as string | undefined;
        const page = (await services.query(
          "access.history",
          {
            patient,
            ...(count !== undefined && { limit: String(count) }),
            ...(cursor !== undefined && { cursor }),
          },
          caller,
        )) as unknown as ResultPage<AccessEntry>;
        const bundle = auditEventBundle(page, {
          baseUrl: `${origin}${FHIR_BASE}`,
          params: { patient },
          count,
          cursor,
        });
        return { status: 200, contentType: "application/fhir+json", body: bundle };
      },
    },
  ];
}
