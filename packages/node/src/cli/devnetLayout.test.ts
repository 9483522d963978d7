import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gtinWithinPrefixes, validateGln } from "@careledger/gs1";
import { chainIdOf, fromHex, publicKeyOf, toHex } from "@careledger/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { loadHome, MEMBER_FILE } from "../config.js";
import { DEVNET_CONSORTIUM, DEVNET_ORG } from "./devnetConsortium.js";
import {
  ADMIN_KEY_FILE,
  adminKeyFileOf,
  DEVNET_COMPANY_PREFIX,
  nodeHomeOf,
  writeDevnetLayout,
} from "./devnetLayout.js";
import { genesisFromMemberFiles } from "./genesis.js";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function layout(nodes: number, consortium?: boolean) {
  const dir = await mkdtemp(join(tmpdir(), "careledger-layout-"));
  dirs.push(dir);
  const genesis = await writeDevnetLayout({
    nodes,
    dir,
    apiPort: 8_080,
    p2pPort: 26_656,
    ...(consortium !== undefined && { consortium }),
  });
  return { dir, genesis };
}

const publicKeyIn = async (file: string) =>
  toHex(publicKeyOf(fromHex((await readFile(file, "utf8")).trim(), 32)));

describe("the devnet layout", () => {
  it("keeps one organization org-i per node by default, its admin key in node i's home", async () => {
    const { dir, genesis } = await layout(4);
    expect(genesis.organizations.map((org) => [org.id, org.kind])).toEqual([
      ["org-0", "hospital"],
      ["org-1", "insurer"],
      ["org-2", "manufacturer"],
      ["org-3", "pharmacy"],
    ]);
    for (const [i, org] of genesis.organizations.entries()) {
      expect(org.nodeKeys).toEqual([genesis.validators[i]]);
      expect(await publicKeyIn(join(nodeHomeOf(dir, i), ADMIN_KEY_FILE))).toBe(org.adminKeys[0]);
    }
  });

  it("writes the demo consortium: nine members, node i in member i mod 9, an admin key file for each", async () => {
    const { dir, genesis } = await layout(4, true);
    expect(genesis.organizations.map((org) => org.id)).toEqual(DEVNET_CONSORTIUM.map((m) => m.id));
    expect(genesis.organizations.filter((org) => org.kind === "hospital")).toHaveLength(2);
    for (const id of Object.values(DEVNET_ORG)) {
      expect(genesis.organizations.some((org) => org.id === id)).toBe(true);
    }
    const withNodes = genesis.organizations.filter((org) => org.nodeKeys.length > 0);
    expect(withNodes.map((org) => org.id)).toEqual([
      DEVNET_ORG.hospital,
      DEVNET_ORG.insurer,
      DEVNET_ORG.manufacturer,
      DEVNET_ORG.pharmacy,
    ]);
    for (const org of genesis.organizations) {
      const file = adminKeyFileOf(dir, genesis, org.id);
      expect(file).toBe(
        org.nodeKeys.length > 0
          ? join(nodeHomeOf(dir, genesis.validators.indexOf(org.nodeKeys[0] ?? "")), ADMIN_KEY_FILE)
          : join(dir, "orgs", org.id, ADMIN_KEY_FILE),
      );
      expect(await publicKeyIn(file)).toBe(org.adminKeys[0]);
    }
    expect(() => adminKeyFileOf(dir, genesis, "org-0")).toThrow(/no organization org-0/);
  });

  it("gives every member a valid GLN, unique, and the manufacturer a GS1 company prefix", async () => {
    const { genesis } = await layout(4, true);
    const glns = genesis.organizations.map((org) => org.gln ?? "");
    expect(glns.map((gln) => validateGln(gln).ok)).toEqual(glns.map(() => true));
    expect(new Set(glns).size).toBe(glns.length);
    const withPrefixes = genesis.organizations.filter((org) => org.gs1CompanyPrefixes);
    expect(withPrefixes.map((org) => [org.id, org.gs1CompanyPrefixes])).toEqual([
      [DEVNET_ORG.manufacturer, [DEVNET_COMPANY_PREFIX]],
    ]);
    // The contract's example GTIN registers on the devnet.
    expect(gtinWithinPrefixes("09520123456788", [DEVNET_COMPANY_PREFIX])).toBe(true);
  });

  it("is formed by the ceremony: member files in the homes, genesis assembled from them, each home loads", async () => {
    const { dir, genesis } = await layout(4, true);
    const files = genesis.organizations.map((org) =>
      org.nodeKeys.length > 0
        ? join(nodeHomeOf(dir, genesis.validators.indexOf(org.nodeKeys[0] ?? "")), MEMBER_FILE)
        : join(dir, "orgs", org.id, MEMBER_FILE),
    );
    const again = await genesisFromMemberFiles([...files].reverse(), {
      chainName: genesis.chainName,
      genesisTime: genesis.genesisTime,
      members: genesis.organizations.map((org) => org.id),
      params: genesis.params,
    });
    expect(chainIdOf(again)).toEqual(chainIdOf(genesis));
    expect(genesis.peers?.map((peer) => peer.address)).toEqual(
      [0, 1, 2, 3].map((i) => `/ip4/127.0.0.1/tcp/${26_656 + i}`),
    );
    for (const i of [0, 1, 2, 3]) {
      const home = await loadHome(nodeHomeOf(dir, i));
      expect(home.config.peers.map((peer) => peer.nodeKey)).toEqual(
        genesis.validators.filter((_, j) => j !== i),
      );
    }
  });

  it("gives a member several nodes when the devnet has more than nine, each home holding its admin key", async () => {
    const { dir, genesis } = await layout(10, true);
    const [hospital] = genesis.organizations;
    expect(hospital?.nodeKeys).toEqual([genesis.validators[0], genesis.validators[9]]);
    expect(await publicKeyIn(join(nodeHomeOf(dir, 9), ADMIN_KEY_FILE))).toBe(
      hospital?.adminKeys[0],
    );
  });
});
