export { auditEventResource } from "./auditEvent.js";
export {
  auditEventBundle,
  FHIR_COUNT_PARAM,
  FHIR_CURSOR_PARAM,
  type ResultPage,
  type SearchRequest,
  searchsetBundle,
} from "./bundle.js";
export { consentResource } from "./consent.js";
export { issueTypeOf, operationOutcome } from "./operationOutcome.js";
export { BREAK_GLASS_POLICY, consentPolicyUri, SYSTEM } from "./systems.js";
