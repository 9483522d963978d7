import { describe, expect, it } from "vitest";
import { CareLedgerError, ERROR_CODES, type ErrorCode, isErrorCode } from "./errors.js";

const CODE_PATTERN = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/;

describe("error registry", () => {
  const codes = Object.keys(ERROR_CODES) as ErrorCode[];

  it.each(codes)("%s has an HTTP error status and a message", (code) => {
    const { status, message } = ERROR_CODES[code];
    expect(code).toMatch(CODE_PATTERN);
    expect(Number.isInteger(status) && status >= 400 && status <= 599).toBe(true);
    expect(message.length).toBeGreaterThan(0);
    const error = new CareLedgerError(code);
    expect(error.status).toBe(status);
    expect(error.message).toBe(message);
    expect(error).toBeInstanceOf(Error);
    expect(isErrorCode(code)).toBe(true);
  });

  it("holds the codes the issue names and recognizes no others", () => {
    for (const code of ["TX_MALFORMED", "TX_BAD_SIGNATURE", "TX_EXPIRED", "TX_DUPLICATE"]) {
      expect(isErrorCode(code)).toBe(true);
    }
    expect(isErrorCode("toString")).toBe(false);
    expect(isErrorCode("NO_SUCH_CODE")).toBe(false);
  });

  it("carries details and a custom message", () => {
    const error = new CareLedgerError("TX_TOO_LARGE", "70000 bytes", { bytesMax: 65_536 });
    expect(error.message).toBe("70000 bytes");
    expect(error.details).toEqual({ bytesMax: 65_536 });
    expect(error.status).toBe(413);
  });
});
