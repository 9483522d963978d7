export * from "./caller.js";
export * from "./queries.js";
export * from "./queryContract.js";
export * from "./responses.js";
export * from "./route.js";
export * from "./routes.js";
export * from "./txContract.js";
export * from "./txTypes.js";
