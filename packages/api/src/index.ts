export { canonicalToJson } from "./json.js";
export * from "./nodeApi.js";
export * from "./server.js";
