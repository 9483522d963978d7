import { CareLedgerError, ROUTES, toHex } from "@careledger/protocol";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { NodeApi } from "../nodeApi.js";
import { routeSchema } from "../routeSchema.js";
import type { ReadScopes } from "../scopes.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * `GET /v1/state/:key` (the key as hex of its UTF-8): the value's canonical bytes as hex, and with
 * `proof=true` its sparse Merkle proof against the state root of the header at `height`, which
 * the client checks against that header's certificate. Who may read which key is the node's
 * declaration (`stateKeyScope`), applied by the read policy.
 */
export function stateRoutes(node: NodeApi, scopes: ReadScopes): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(ROUTES.state.path, { schema: routeSchema(ROUTES.state) }, async (request) => {
      let key: string;
      try {
        key = utf8.decode(Buffer.from(request.params.key, "hex"));
      } catch {
        throw new CareLedgerError("BAD_REQUEST", "state key is not UTF-8");
      }
      await scopes.stateKey(request, key);
      const proven = await node.proveState(key);
      const value = proven.value === null ? null : toHex(proven.value);
      if (request.query.proof !== true) return { key, height: proven.height, value };
      const { siblings, leaf } = proven.proof;
      return {
        key,
        height: proven.height,
        value,
        proof: {
          siblings: siblings.map(toHex),
          leaf:
            leaf === null
              ? null
              : { keyHash: toHex(leaf.keyHash), valueHash: toHex(leaf.valueHash) },
        },
      };
    });
  };
}
