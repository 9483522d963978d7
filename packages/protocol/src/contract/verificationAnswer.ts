import { type Static, Type } from "@sinclair/typebox";
import { PackStatusSchema } from "./provenanceQueries.js";

/**
 * The DSCSA verification answer a node's responder gives at a pack's Digital Link (NOTES.md 4.1,
 * field names as the deployed responders spell them), with our own fields beside the
 * standard's: the pack's status when the identifier matched, and for a trading partner or a
 * regulator (a signed request) its custodian and its history as an EPCIS 2.0 document (whose
 * events are the standard's: the node's tests validate them against the GS1 schema). The node
 * serves it with this schema and the SDK checks answers against it.
 */
export const VerificationAnswerSchema = Type.Object({
  verificationTimestamp: Type.String(),
  responderGLN: Type.Optional(Type.String({ pattern: "^[0-9]{13}$" })),
  data: Type.Object({
    verified: Type.Boolean(),
    verificationFailureReason: Type.Optional(Type.String()),
    additionalInfo: Type.Optional(Type.String()),
  }),
  corrUUID: Type.Optional(Type.String()),
  "careledger:status": Type.Optional(
    Type.Object({
      status: PackStatusSchema,
      recalled: Type.Boolean(),
      suspect: Type.Boolean(),
      expired: Type.Boolean(),
    }),
  ),
  "careledger:custodian": Type.Optional(Type.String()),
  "careledger:history": Type.Optional(Type.Unknown()),
});
export type VerificationAnswer = Static<typeof VerificationAnswerSchema>;
