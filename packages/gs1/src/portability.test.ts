import { describeBrowserPortability } from "@careledger/protocol/portability.testkit";
import { build } from "esbuild";

describeBrowserPortability({
  dir: import.meta.dirname,
  // Nothing at run time: standard JavaScript only (TextEncoder, TextDecoder, Date.UTC).
  dependencies: [],
  // The whole package minified, the AI table included: 21 KiB measured on Dec 2.
  bundleBytesMax: 48 * 1024,
  build,
});
