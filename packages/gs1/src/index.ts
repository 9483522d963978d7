export type { AiElement } from "./aiLint.js";
export { gs1CheckDigit, hasValidCheckDigit } from "./checkDigit.js";
export {
  CSET82,
  cset82Value,
  isCset82,
  LOT_LENGTH_MAX,
  SERIAL_LENGTH_MAX,
  validateLot,
  validateSerial,
} from "./cset82.js";
export {
  DIGITAL_LINK_ELEMENTS_MAX,
  DIGITAL_LINK_LENGTH_MAX,
  type DigitalLink,
  GS1_RESOLVER,
  type GtinLinkFields,
  type QueryParameter,
  type VrsParameters,
} from "./digitalLink.js";
export {
  EPC_URI_LENGTH_MAX,
  LGTIN_URI_PREFIX,
  type LgtinParts,
  lgtinUri,
  parseLgtinUri,
  parseSgtinUri,
  parseSsccUri,
  SGTIN_URI_PREFIX,
  type SgtinParts,
  SSCC_URI_PREFIX,
  type SsccParts,
  sgtinUri,
  ssccUri,
} from "./epcUri.js";
export { validateGln, validateSscc } from "./fixedKeys.js";
export { formatDigitalLink } from "./formatDigitalLink.js";
export {
  daysInMonth,
  expiredFromMs,
  expiresBefore,
  formatYymmdd,
  type Gs1Date,
  isExpired,
  isoDateOf,
  lastDayOf,
  parseGs1Date,
  resolveCentury,
  sameExpiry,
} from "./gs1Date.js";
export {
  GCP_LENGTH_MAX,
  GCP_LENGTH_MIN,
  GTIN_LENGTHS,
  gtin14,
  gtinWithinPrefixes,
  indicatorDigit,
  isCompanyPrefix,
  isGtin14,
} from "./gtin.js";
export { type ParseDigitalLinkOptions, parseDigitalLink } from "./parseDigitalLink.js";
export { percentDecode, percentEncode, type UriComponent } from "./percentEncoding.js";
export {
  GS1_ERROR_CODES,
  GS1_LINTER_ERRORS,
  Gs1Error,
  type Gs1ErrorCode,
  type Gs1LinterError,
  type Gs1Problem,
  type Gs1Result,
} from "./result.js";
export {
  isVerificationLinkType,
  LINK_TYPE_LENGTH_MAX,
  VRS_CONTEXT_LENGTH_MAX,
} from "./vrsParameters.js";
