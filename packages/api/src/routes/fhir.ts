import { FHIR_BASE, type ModuleRoute } from "@careledger/protocol";
import type { FastifyInstance } from "fastify";
import { CapabilityStatementSchema, capabilityStatement } from "../fhir/capabilityStatement.js";
import { FHIR_JSON, OperationOutcomeSchema } from "../fhir/operationOutcome.js";

export const FHIR_METADATA_URL = `${FHIR_BASE}/metadata`;
export const FHIR_METADATA_OPERATION_ID = "getFhirCapabilities";

/**
 * `GET /fhir/R4/metadata`: the CapabilityStatement of what the modules serve under the FHIR
 * base, public, built once (the routes are fixed at start).
 */
export function mountFhirMetadata(app: FastifyInstance, routes: readonly ModuleRoute[]): void {
  const statement = capabilityStatement(routes, new Date());
  app.get(
    FHIR_METADATA_URL,
    {
      schema: {
        operationId: FHIR_METADATA_OPERATION_ID,
        summary: "The FHIR R4 CapabilityStatement: the resources and interactions served",
        tags: ["fhir"],
        response: {
          200: {
            description: "the CapabilityStatement",
            content: { [FHIR_JSON]: { schema: CapabilityStatementSchema } },
          },
          "4xx": {
            description: "an OperationOutcome",
            content: { [FHIR_JSON]: { schema: OperationOutcomeSchema } },
          },
          "5xx": {
            description: "an OperationOutcome",
            content: { [FHIR_JSON]: { schema: OperationOutcomeSchema } },
          },
        },
      },
    },
    async (_request, reply) => reply.type(FHIR_JSON).send(statement),
  );
}
