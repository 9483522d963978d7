import { defineConfig } from "vitest/config";

// Run from the repository root: npx vitest run --config bench/vitest.config.ts
export default defineConfig({
  resolve: { conditions: ["source", "module", "node", "development|production"] },
  test: { include: ["bench/src/**/*.test.ts"] },
});
