import { describeBrowserPortability } from "@careledger/protocol/portability.testkit";
import { build } from "esbuild";

describeBrowserPortability({
  dir: import.meta.dirname,
  // The protocol, and its schema library for the answers' checkers; undici only for node-tls.
  dependencies: ["@careledger/protocol", "@sinclair/typebox", "undici"],
  // A CA to trust and a client certificate in Node (undici's Agent); browsers have their own.
  nodeOnlyFiles: ["nodeTls.ts"],
  // The SDK with the protocol and its libraries, minified: 247 KiB measured on Dec 2, 265 KiB
  // with the claims contract in TX_TYPES and QUERIES (its payload and view schemas), 284 KiB
  // with the provenance contract and the claims and provenance helpers (19 KiB of contract,
  // 8 KiB of SDK); the bound keeps about 12 KiB of room above that.
  bundleBytesMax: 296 * 1024,
  build,
});
