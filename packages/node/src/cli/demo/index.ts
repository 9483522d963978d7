/** What clients of a seeded devnet (its tests, the console's) read: the seed's lines, its key files. */
export { DEMO_KEY_HOLDERS, demoKeyFileOf } from "./keyFiles.js";
export { NOT_FRESH_LINE, RECALLED_LINK_LINE, SEEDED_LINE } from "./seed.js";
