import { describe, expect, it } from "vitest";
import { nodeTls } from "./nodeTls.js";

// Connections over TLS, trusted and refused, run against a real node in test/tls.test.ts.
describe("nodeTls", () => {
  it("refuses a client certificate without its key, and a key without its certificate", () => {
    for (const options of [{ cert: "PEM" }, { key: "PEM" }]) {
      expect(() => nodeTls(options)).toThrow(
        expect.objectContaining({ code: "BAD_REQUEST" }) as Error,
      );
    }
  });
});
