import { FHIR_VERSION, type FhirInteraction, type ModuleRoute } from "@careledger/protocol";
import { type Static, Type } from "@sinclair/typebox";

const SearchParam = Type.Object(
  {
    name: Type.String(),
    type: Type.String(),
    documentation: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

const RestResource = Type.Object(
  {
    type: Type.String({ description: "FHIR resource type" }),
    interaction: Type.Array(Type.Object({ code: Type.String() }, { additionalProperties: false }), {
      minItems: 1,
    }),
    searchParam: Type.Optional(Type.Array(SearchParam)),
  },
  { additionalProperties: false },
);

/** The parts of an R4 CapabilityStatement this node fills (http://hl7.org/fhir/R4/capabilitystatement.html). */
export const CapabilityStatementSchema = Type.Object(
  {
    resourceType: Type.Literal("CapabilityStatement"),
    status: Type.Literal("active"),
    date: Type.String({ description: "when this node's API was built (dateTime)" }),
    kind: Type.Literal("instance"),
    implementation: Type.Object({ description: Type.String() }, { additionalProperties: false }),
    fhirVersion: Type.Literal(FHIR_VERSION),
    format: Type.Array(Type.Literal("json"), { minItems: 1, maxItems: 1 }),
    rest: Type.Array(
      Type.Object(
        {
          mode: Type.Literal("server"),
          security: Type.Object({ description: Type.String() }, { additionalProperties: false }),
          resource: Type.Array(RestResource),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 1 },
    ),
  },
  { additionalProperties: false },
);
export type CapabilityStatement = Static<typeof CapabilityStatementSchema>;

/**
 * What the node serves under FHIR_BASE, from the module routes that declare `fhir`: one
 * resource entry per resource type (FHIR describes a type once per mode) with the interactions
 * and search parameters of its routes, resources and interactions in a stable order.
 */
export function capabilityStatement(
  routes: readonly ModuleRoute[],
  date: Date,
): CapabilityStatement {
  const byType = new Map<
    string,
    { interactions: Set<FhirInteraction>; searchParams: Static<typeof SearchParam>[] }
  >();
  for (const route of routes) {
    const fhir = route.fhir;
    if (fhir === undefined) continue;
    const entry = byType.get(fhir.resource) ?? { interactions: new Set(), searchParams: [] };
    entry.interactions.add(fhir.interaction);
    for (const param of fhir.searchParams ?? []) {
      entry.searchParams.push({
        name: param.name,
        type: param.type,
        ...(param.documentation !== undefined && { documentation: param.documentation }),
      });
    }
    byType.set(fhir.resource, entry);
  }
  const resource = [...byType.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([type, { interactions, searchParams }]) => ({
      type,
      interaction: [...interactions].sort().map((code) => ({ code })),
      ...(searchParams.length > 0 && { searchParam: searchParams }),
    }));
  return {
    resourceType: "CapabilityStatement",
    status: "active",
    date: date.toISOString(),
    kind: "instance",
    implementation: { description: "CareLedger node: read-only FHIR renderings of chain state" },
    fhirVersion: FHIR_VERSION,
    format: ["json"],
    rest: [
      {
        mode: "server",
        security: {
          description:
            "Reads of patient data are signed requests (x-careledger-* headers) by a key " +
            "registered on chain, scoped as the node's other reads; metadata is public.",
        },
        resource,
      },
    ],
  };
}
