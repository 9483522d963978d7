export * from "./nodeApi.js";
export * from "./server.js";
