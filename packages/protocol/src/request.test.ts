import { describe, expect, it } from "vitest";
import { decode } from "./encoding.js";
import { sha256, toHex } from "./hash.js";
import { keySigner, nobleVerifier } from "./keys.js";
import { requestSigningBytes } from "./request.js";

const CHAIN = sha256(Uint8Array.of(1));
const NODE = keySigner(new Uint8Array(32).fill(2)).publicKey;
const OTHER_NODE = keySigner(new Uint8Array(32).fill(4)).publicKey;
const CALLER = keySigner(new Uint8Array(32).fill(3));
const BODY = new TextEncoder().encode('{"a":1}');
const TIME = 1_700_000_000_000;
const PATH = "/v1/query/x?y=1";

describe("requestSigningBytes", () => {
  // Pinned so another implementation (a client in another language) can check its bytes.
  it("matches the pinned vector: encode(['request', chain, [node, METHOD, path, sha256(body), time]])", () => {
    const bytes = requestSigningBytes(CHAIN, NODE, "post", PATH, BODY, TIME);
    expect(toHex(bytes)).toBe(
      "93a772657175657374c4204bf5122f344554c53bde2ebb8cd2b7e3d1600ad631c385a5d7cce23c7785459a95" +
        "c4208139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394a4504f5354af2f7631" +
        "2f71756572792f783f793d31c420015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a" +
        "97f862d30000018bcfe56800",
    );
    expect(decode(bytes)).toEqual(["request", CHAIN, [NODE, "POST", PATH, sha256(BODY), TIME]]);
    expect(toHex(CALLER.sign(bytes))).toBe(
      "edf5ac899f0e75c0a7162a9631342c9ae0d85d2bf017198e261b998f3f25a952" +
        "11e3cceb1fc38270924c42d930dcc7baa154c9a1c770426f5cef360f02ff8804",
    );
  });

  it("a signature for one node, body, path or time verifies for no other", () => {
    const signature = CALLER.sign(requestSigningBytes(CHAIN, NODE, "POST", PATH, BODY, TIME));
    const verifies = (message: Uint8Array) =>
      nobleVerifier.verify(CALLER.publicKey, message, signature);
    expect(verifies(requestSigningBytes(CHAIN, NODE, "POST", PATH, BODY, TIME))).toBe(true);
    expect(verifies(requestSigningBytes(CHAIN, OTHER_NODE, "POST", PATH, BODY, TIME))).toBe(false);
    const changed = Uint8Array.from(BODY);
    changed[5] = 0x32;
    expect(verifies(requestSigningBytes(CHAIN, NODE, "POST", PATH, changed, TIME))).toBe(false);
    expect(verifies(requestSigningBytes(CHAIN, NODE, "POST", PATH, new Uint8Array(0), TIME))).toBe(
      false,
    );
    expect(verifies(requestSigningBytes(CHAIN, NODE, "POST", "/v1/query/x", BODY, TIME))).toBe(
      false,
    );
    expect(verifies(requestSigningBytes(CHAIN, NODE, "GET", PATH, BODY, TIME))).toBe(false);
    expect(verifies(requestSigningBytes(CHAIN, NODE, "POST", PATH, BODY, TIME + 1))).toBe(false);
  });

  it("signs an empty query string as none, since fetch drops a bare ? and curl sends it", () => {
    const bytes = (path: string) =>
      toHex(requestSigningBytes(CHAIN, NODE, "GET", path, BODY, TIME));
    expect(bytes("/v1/query/x?")).toBe(bytes("/v1/query/x"));
    expect(bytes("/v1/query/x?&")).not.toBe(bytes("/v1/query/x"));
    expect(bytes("/v1/query/x??")).not.toBe(bytes("/v1/query/x?"));
    expect(bytes("/v1/query/x?y=1")).not.toBe(bytes("/v1/query/x?y=1?"));
  });

  it("refuses a node key that is not 32 bytes", () => {
    expect(() => requestSigningBytes(CHAIN, new Uint8Array(31), "GET", "/", BODY, TIME)).toThrow(
      RangeError,
    );
  });
});
