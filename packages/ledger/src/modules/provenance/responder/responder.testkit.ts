import {
  CareLedgerError,
  ERROR_CODES,
  fromHex,
  type ModuleRoute,
  type QueryCaller,
  toHex,
} from "@careledger/protocol";
import type { ModuleServices } from "../../module.js";
import type { SupplyChain } from "../supplyChain.testkit.js";
import { provenanceRoutes } from "./routes.js";

/** The origin the api would hand the routes (the Host the client addressed). */
export const ORIGIN = "https://verify.example.org";

/** The node's ModuleServices for the provenance module over the test chain's ledger. */
function servicesOf(w: SupplyChain): ModuleServices {
  const ledger = w.h.ledger;
  return {
    head: () => ledger.reads.moduleReader("provenance"),
    get local(): never {
      throw new Error("the provenance routes keep nothing node-local");
    },
    keyEncryptionKey: new Uint8Array(32),
    nodeKey: toHex(w.h.org(0).node.publicKey),
    nodeOrg: async () =>
      (await ledger.reads.nodeOrganizations(toHex(w.h.org(0).node.publicKey)))[0] ?? null,
    submit: () => Promise.reject(new Error("the provenance routes submit nothing")),
    committedTx: (idHex) => ledger.reads.committedTx(fromHex(idHex, 32)),
    query: (name, params, caller) => ledger.reads.query(name, params, caller),
    settings: {},
    log: { info: () => {}, warn: () => {}, error: () => {} },
  };
}

export interface Answer {
  readonly status: number;
  readonly contentType?: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/** A route pattern as a regex over the path (parameters are one segment each). */
const patternOf = (path: string) => new RegExp(`^${path.replace(/:[^/]+/g, "[^/]+")}$`);

/**
 * The provenance routes behind a router as the api mounts them: the route whose path matches,
 * handed the raw URL, and an error answered with its registry status and code.
 */
export class Responder {
  private readonly routes: readonly ModuleRoute[];

  constructor(w: SupplyChain) {
    this.routes = provenanceRoutes(servicesOf(w));
  }

  get paths(): string[] {
    return this.routes.map((route) => route.path);
  }

  async get(
    url: string,
    options: { caller?: QueryCaller; accept?: string; query?: Record<string, string> } = {},
  ): Promise<Answer> {
    const path = url.split("?")[0] as string;
    const route = this.routes.find((each) => patternOf(each.path).test(path));
    if (route === undefined) return { status: 404, headers: {}, body: { code: "NOT_FOUND" } };
    if (route.access === "signed" && options.caller === undefined) {
      return { status: 401, headers: {}, body: { code: "REQUEST_UNSIGNED" } };
    }
    try {
      const answer = await route.handler({
        params: {},
        query: options.query ?? Object.fromEntries(new URL(url, ORIGIN).searchParams),
        body: undefined,
        caller: options.caller ?? null,
        origin: ORIGIN,
        url,
        accept: options.accept ?? null,
      });
      return { headers: {}, ...answer };
    } catch (error) {
      if (!(error instanceof CareLedgerError)) throw error;
      const body = { code: error.code, details: error.details };
      return { status: ERROR_CODES[error.code].status, headers: {}, body };
    }
  }
}
