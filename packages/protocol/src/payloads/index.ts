export * from "./check.js";
export * from "./claims.js";
export * from "./consent.js";
export * from "./governance.js";
export * from "./identity.js";
export * from "./provenance.js";
export * from "./records.js";
