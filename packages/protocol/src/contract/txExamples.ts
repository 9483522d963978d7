/** Example values the transaction contracts' `example` payloads share (OpenAPI, SDK docs). */
export const EXAMPLE_KEY = new Uint8Array(32).fill(7);
export const EXAMPLE_DELEGATE = new Uint8Array(32).fill(9);
export const EXAMPLE_HASH = new Uint8Array(32).fill(3);
export const EXAMPLE_ID = "5f0c6a52e3b14d7c9a8e2f61b0d4c3a7";
