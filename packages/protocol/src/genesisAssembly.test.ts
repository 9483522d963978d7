import { describe, expect, it } from "vitest";
import { chainIdOf } from "./genesis.js";
import { assembleGenesis, type GenesisParams, parseGenesisParams } from "./genesisAssembly.js";
import { toHex } from "./hash.js";
import { keySigner } from "./keys.js";
import { MEMBER_FILE_FORMAT, type MemberFile, parseMemberFile } from "./memberFile.js";

const key = (seed: number) => toHex(keySigner(new Uint8Array(32).fill(seed)).publicKey);

function member(id: string, seed: number, nodes: number): MemberFile {
  return {
    format: MEMBER_FILE_FORMAT,
    version: 1,
    id,
    name: `The ${id}`,
    kind: "hospital",
    adminKeys: [key(seed)],
    nodes: Array.from({ length: nodes }, (_, i) => ({
      nodeKey: key(100 + seed * 10 + i),
      address: `/ip4/10.0.0.${seed}/tcp/${26_656 + i}`,
    })),
  };
}

const MEMBERS = [member("alpha", 1, 2), member("bravo", 2, 1), member("charlie", 3, 1)];
const PARAMS: GenesisParams = {
  chainName: "careledger-test",
  genesisTime: 1_763_700_000_000,
  members: ["charlie", "alpha", "bravo"],
  params: {
    checkpointInterval: 100,
    window: 4,
    emptyBlockIntervalMs: 1_000,
    requestTimeoutMs: 5_000,
    viewChangeTimeoutMs: 2_000,
    clockSkewMaxMs: 500,
    blockTxsMax: 2_000,
  },
};

describe("member files", () => {
  it("accepts what init writes, with GS1 prefixes and a GLN", () => {
    const file = { ...member("delta", 4, 1), gs1CompanyPrefixes: ["952012"], gln: "9520123000017" };
    expect(parseMemberFile(JSON.parse(JSON.stringify(file)))).toEqual(file);
  });

  it.each([
    ["another format", { format: "careledger-genesis" }],
    ["another version", { version: 2 }],
    ["an unknown kind", { kind: "spa" }],
    ["an upper-case id", { id: "Alpha" }],
    ["no admin key", { adminKeys: [] }],
    ["a secret beside the keys", { adminSecret: key(9) }],
    ["a node without an address", { nodes: [{ nodeKey: key(9) }] }],
    [
      "an address that is not /ip4/A.B.C.D/tcp/P",
      { nodes: [{ nodeKey: key(9), address: "/dns4/a.example/tcp/1" }] },
    ],
    ["a port out of range", { nodes: [{ nodeKey: key(9), address: "/ip4/10.0.0.1/tcp/65536" }] }],
    ["an octet out of range", { nodes: [{ nodeKey: key(9), address: "/ip4/10.0.0.256/tcp/1" }] }],
    ["a short GLN", { gln: "952012300001" }],
    ["a node key twice", { nodes: [member("x", 9, 1).nodes[0], member("x", 9, 1).nodes[0]] }],
    ["an admin key twice", { adminKeys: [key(9), key(9)] }],
  ])("refuses %s (MEMBER_FILE_INVALID)", (_, change) => {
    expect(() => parseMemberFile({ ...member("alpha", 1, 1), ...change })).toThrow(
      expect.objectContaining({ code: "MEMBER_FILE_INVALID" }),
    );
  });
});

describe("genesis from member files", () => {
  it("lists the members in params order, validators round the members, peers as announced", () => {
    const genesis = assembleGenesis(MEMBERS, PARAMS);
    expect(genesis.organizations.map((org) => org.id)).toEqual(["charlie", "alpha", "bravo"]);
    const [alpha0, alpha1] = MEMBERS[0]?.nodes ?? [];
    const [bravo0] = MEMBERS[1]?.nodes ?? [];
    const [charlie0] = MEMBERS[2]?.nodes ?? [];
    expect(genesis.validators).toEqual(
      [charlie0, alpha0, bravo0, alpha1].map((node) => node?.nodeKey),
    );
    expect(genesis.peers).toEqual([charlie0, alpha0, bravo0, alpha1]);
    expect(genesis.organizations[1]).toEqual({
      id: "alpha",
      name: "The alpha",
      kind: "hospital",
      adminKeys: [key(1)],
      nodeKeys: [alpha0?.nodeKey, alpha1?.nodeKey],
    });
  });

  it("gives the same chain id whatever order the member files come in", () => {
    const orders = [
      [0, 1, 2],
      [2, 1, 0],
      [1, 0, 2],
      [1, 2, 0],
    ];
    const ids = orders.map((order) =>
      toHex(
        chainIdOf(
          assembleGenesis(
            order.map((i) => MEMBERS[i] as MemberFile),
            PARAMS,
          ),
        ),
      ),
    );
    expect(new Set(ids).size).toBe(1);
    // And any change to a member or the params changes it.
    const renamed = [{ ...(MEMBERS[0] as MemberFile), name: "Alpha" }, MEMBERS[1], MEMBERS[2]];
    const other = assembleGenesis(renamed as MemberFile[], PARAMS);
    expect(toHex(chainIdOf(other))).not.toBe(ids[0]);
    const later = assembleGenesis(MEMBERS, { ...PARAMS, genesisTime: PARAMS.genesisTime + 1 });
    expect(toHex(chainIdOf(later))).not.toBe(ids[0]);
  });

  it("refuses a missing, an extra or a repeated member file, and too few validators", () => {
    const refused = (members: readonly MemberFile[], params: GenesisParams, message: RegExp) =>
      expect(() => assembleGenesis(members, params)).toThrow(
        expect.objectContaining({
          code: "GENESIS_INVALID",
          message: expect.stringMatching(message),
        }),
      );
    refused(MEMBERS.slice(0, 2), PARAMS, /no member file for charlie/);
    refused([...MEMBERS, member("delta", 4, 1)], PARAMS, /member delta is not in params.members/);
    refused([...MEMBERS, MEMBERS[0] as MemberFile], PARAMS, /two member files for alpha/);
    const three = [member("alpha", 1, 1), MEMBERS[1], MEMBERS[2]] as MemberFile[];
    refused(three, PARAMS, /validator/);
    // One node in two organizations' files.
    const shared = { ...(MEMBERS[1] as MemberFile), nodes: MEMBERS[0]?.nodes.slice(0, 1) ?? [] };
    refused([MEMBERS[0], shared, MEMBERS[2]] as MemberFile[], PARAMS, /listed twice|duplicate/);
  });

  it("checks the params file", () => {
    expect(parseGenesisParams(JSON.parse(JSON.stringify(PARAMS)))).toEqual(PARAMS);
    for (const bad of [
      { ...PARAMS, members: [] },
      { ...PARAMS, members: ["alpha", "alpha"] },
      { ...PARAMS, chainName: "Not A Name" },
      { ...PARAMS, extra: true },
      { ...PARAMS, params: { ...PARAMS.params, window: 0 } },
    ]) {
      expect(() => parseGenesisParams(bad), JSON.stringify(bad)).toThrow(
        expect.objectContaining({ code: "GENESIS_INVALID" }),
      );
    }
  });
});
