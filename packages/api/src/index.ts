export { canonicalToJson } from "./json.js";
export * from "./nodeApi.js";
export type { ConsoleBuilder, ConsoleFiles } from "./routes/console.js";
export * from "./server.js";
export * from "./tls.js";
