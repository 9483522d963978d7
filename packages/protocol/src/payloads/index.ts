export * from "./check.js";
export * from "./governance.js";
export * from "./identity.js";
