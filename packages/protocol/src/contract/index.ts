export * from "./responses.js";
export * from "./route.js";
export * from "./routes.js";
