export * from "./verifier.js";
