import type { QueryParameter, VrsParameters } from "./digitalLink.js";
import { validateGln } from "./fixedKeys.js";
import { fail, type Gs1Result, ok } from "./result.js";

/** Bounds on the free-text request parameters. */
export const LINK_TYPE_LENGTH_MAX = 128;
export const VRS_CONTEXT_LENGTH_MAX = 64;

const UUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;
const VRS_NAMES = new Set(["linkType", "context", "reqGLN", "corrUUID", "ctrlPossessAtt"]);

/** The link type of a DSCSA verification request, in the older and the newer vocabulary. */
export function isVerificationLinkType(linkType: string | undefined): boolean {
  return linkType === "verificationService" || linkType === "gs1:verificationService";
}

/**
 * Takes `linkType` and the DSCSA request parameters (NOTES 4.1) out of the non-AI query
 * parameters and checks them: each at most once, none empty, `reqGLN` a GLN, `corrUUID` a UUID,
 * `ctrlPossessAtt` `true` or `false`. The rest pass through untouched, as a resolver does.
 */
export function splitVrsParameters(params: readonly QueryParameter[]): Gs1Result<{
  linkType?: string;
  vrs: VrsParameters;
  otherQuery: QueryParameter[];
}> {
  const found = new Map<string, string>();
  const otherQuery: QueryParameter[] = [];
  for (const param of params) {
    if (!VRS_NAMES.has(param.name)) {
      otherQuery.push(param);
      continue;
    }
    if (found.has(param.name)) return invalid(`${param.name} is given twice`);
    if (param.value === null || param.value === "") return invalid(`${param.name} is empty`);
    found.set(param.name, param.value);
  }
  const linkType = found.get("linkType");
  if (linkType !== undefined && linkType.length > LINK_TYPE_LENGTH_MAX) {
    return invalid(`linkType is longer than ${LINK_TYPE_LENGTH_MAX} characters`);
  }
  const context = found.get("context");
  if (context !== undefined && context.length > VRS_CONTEXT_LENGTH_MAX) {
    return invalid(`context is longer than ${VRS_CONTEXT_LENGTH_MAX} characters`);
  }
  const reqGLN = found.get("reqGLN");
  if (reqGLN !== undefined && !validateGln(reqGLN).ok) return invalid("reqGLN is not a valid GLN");
  const corrUUID = found.get("corrUUID");
  if (corrUUID !== undefined && !UUID.test(corrUUID)) return invalid("corrUUID is not a UUID");
  const attestation = found.get("ctrlPossessAtt");
  if (attestation !== undefined && attestation !== "true" && attestation !== "false") {
    return invalid("ctrlPossessAtt is neither true nor false");
  }
  const vrs: VrsParameters = {
    ...(context === undefined ? {} : { context }),
    ...(reqGLN === undefined ? {} : { reqGLN }),
    ...(corrUUID === undefined ? {} : { corrUUID }),
    ...(attestation === undefined ? {} : { ctrlPossessAtt: attestation === "true" }),
  };
  return ok({ ...(linkType === undefined ? {} : { linkType }), vrs, otherQuery });
}

function invalid<T>(message: string): Gs1Result<T> {
  return fail("VRS_PARAMETER_INVALID", `request parameter: ${message}`);
}
