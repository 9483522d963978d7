import {
  CareLedgerError,
  type PackView,
  type ProductView,
  type QueryCaller,
  type VerificationAnswer,
} from "@careledger/protocol";
import type { ModuleServices } from "../../module.js";
import { epcisDocument } from "../epcis/document.js";
import { epcisEvent } from "../epcis/events.js";
import { readPackStatus } from "../packReads.js";
import { type Directory, directoryOf } from "./directory.js";
import { type VerificationRequest, verificationOf } from "./verification.js";

export interface AnswerInput extends VerificationRequest {
  readonly corrUUID?: string;
}

/**
 * Answers a verification request, as `caller` (null unsigned) may see it: PRODUCT_NOT_FOUND
 * (404, a lookup directory's answer) for a GTIN no one registered, else the NOTES.md 4.1 answer
 * from the pack's status (`readPackStatus`, read directly: the answer says whether a lot and expiry match, never what they are); a signed caller `pack.get` admits (the pack's trading partners,
 * regulators, operators) also gets the custodian and the history as an EPCIS 2.0 document.
 * Every read goes through the queries, so the answer shows no one more than they would.
 */
export async function verificationAnswer(
  services: ModuleServices,
  request: AnswerInput,
  caller: QueryCaller | null,
): Promise<VerificationAnswer> {
  const { gtin, serial } = request;
  const product = (await services.query("product.get", { gtin }, null)) as ProductView | null;
  if (product === null) throw new CareLedgerError("PRODUCT_NOT_FOUND", `no product ${gtin}`);
  const pack = await readPackStatus(services.head(), gtin, serial);
  const head = services.head();
  const data = verificationOf(request, pack, head.time);
  const matched = pack !== null && data.verified;
  const full =
    caller === null || pack === null ? null : await partnerView(services, request, caller);
  const directory = await directoryOf(head);
  const responderGLN = await responderGlnOf(services, directory, product.manufacturer);
  const answer: VerificationAnswer = {
    verificationTimestamp: new Date(head.time).toISOString(),
    ...(responderGLN !== undefined && { responderGLN }),
    data,
    ...(request.corrUUID !== undefined && { corrUUID: request.corrUUID }),
    ...(matched && {
      "careledger:status": {
        status: pack.status,
        recalled: pack.recalled,
        suspect: pack.suspect,
        expired: pack.expired,
      },
    }),
    ...(full !== null && {
      "careledger:custodian": full.custodian,
      "careledger:history": epcisDocument(
        (full.history ?? []).map((event) => epcisEvent(event, directory.names)),
        head.time,
      ),
    }),
  };
  return answer;
}

/** The pack as `pack.get` shows it to `caller`, or null when it refuses the caller. */
async function partnerView(
  services: ModuleServices,
  request: VerificationRequest,
  caller: QueryCaller,
): Promise<PackView | null> {
  try {
    const params = { gtin: request.gtin, serial: request.serial };
    return (await services.query("pack.get", params, caller)) as PackView | null;
  } catch (error) {
    if (error instanceof CareLedgerError && error.code === "FORBIDDEN") return null;
    throw error;
  }
}

/** The manufacturer's GLN, whose identifiers these are; else this node's organization's. */
async function responderGlnOf(
  services: ModuleServices,
  directory: Directory,
  manufacturer: string,
): Promise<string | undefined> {
  const own = directory.glnOf(manufacturer);
  if (own !== undefined) return own;
  const nodeOrg = await services.nodeOrg();
  return nodeOrg === null ? undefined : directory.glnOf(nodeOrg);
}
