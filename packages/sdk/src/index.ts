/**
 * @careledger/sdk: what an application imports. The protocol package's wire types, encoding,
 * hashing, signing and proof checks are re-exported as they are: the SDK never re-implements them.
 */
export * from "@careledger/protocol";
export * from "./access.js";
export * from "./base64.js";
export * from "./batch.js";
export * from "./builder.js";
export * from "./caller.js";
export * from "./claims.js";
export * from "./client.js";
export * from "./consents.js";
export * from "./errors.js";
export * from "./eventData.js";
export * from "./events.js";
export * from "./keys.js";
export * from "./paging.js";
export * from "./provenance.js";
export * from "./recordContent.js";
export * from "./records.js";
export { type RouteGetOptions, type SignedRequest, SignedRequests } from "./signedRequest.js";
export * from "./sse.js";
export * from "./txTypes.js";
export * from "./verify.js";
export * from "./wait.js";
export * from "./wire.js";
