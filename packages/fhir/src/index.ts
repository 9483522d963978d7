export { auditEventResource } from "./auditEvent.js";
export {
  auditEventBundle,
  FHIR_COUNT_PARAM,
  FHIR_CURSOR_PARAM,
  type ResultPage,
  type SearchRequest,
  searchsetBundle,
} from "./bundle.js";
export { claimResource } from "./claim.js";
export { claimResponseResource } from "./claimResponse.js";
export { consentResource } from "./consent.js";
export { type CoveragePlan, coverageResource } from "./coverage.js";
export { decimalText, money } from "./money.js";
export { issueTypeOf, operationOutcome } from "./operationOutcome.js";
export {
  BREAK_GLASS_POLICY,
  CLAIM_DECISION_EXTENSION,
  consentPolicyUri,
  SYSTEM,
} from "./systems.js";
