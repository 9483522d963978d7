import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gtinWithinPrefixes, validateGln } from "@careledger/gs1";
import { fromHex, publicKeyOf, toHex } from "@careledger/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { DEVNET_COMPANY_PREFIX, orgAdminKeyFile, writeDevnetLayout } from "./devnetLayout.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function layout(supplyChain: boolean) {
  const dir = await mkdtemp(join(tmpdir(), "devnet-"));
  dirs.push(dir);
  const genesis = await writeDevnetLayout({ nodes: 4, dir, apiPort: 1, p2pPort: 2, supplyChain });
  return { dir, genesis };
}

describe("the devnet layout's supply chain", () => {
  it("adds the kinds four nodes lack as node-less members, each with its admin key file", async () => {
    const { dir, genesis } = await layout(true);
    const kinds = genesis.organizations.map((org) => [org.id, org.kind, org.nodeKeys.length]);
    expect(kinds).toEqual([
      ["org-0", "hospital", 1],
      ["org-1", "insurer", 1],
      ["org-2", "manufacturer", 1],
      ["org-3", "pharmacy", 1],
      ["org-4", "distributor", 0],
      ["org-5", "regulator", 0],
    ]);
    for (const org of genesis.organizations.slice(4)) {
      const file = orgAdminKeyFile(dir, org.id);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const secret = fromHex((await readFile(file, "utf8")).trim(), 32);
      expect(org.adminKeys).toEqual([toHex(publicKeyOf(secret))]);
    }
    expect(genesis.validators).toHaveLength(4);
  });

  it("gives the manufacturer a company prefix and every supply-chain member a valid GLN", async () => {
    const { genesis } = await layout(true);
    const byKind = new Map(genesis.organizations.map((org) => [org.kind, org]));
    expect(byKind.get("manufacturer")?.gs1CompanyPrefixes).toEqual([DEVNET_COMPANY_PREFIX]);
    // The contract's example GTIN registers on the devnet.
    expect(gtinWithinPrefixes("09520123456788", [DEVNET_COMPANY_PREFIX])).toBe(true);
    const glns = ["manufacturer", "distributor", "pharmacy", "regulator"].map(
      (kind) => byKind.get(kind as "manufacturer")?.gln ?? "",
    );
    for (const gln of glns) expect(validateGln(gln).ok, gln).toBe(true);
    expect(new Set(glns).size).toBe(4);
    expect(byKind.get("hospital")).not.toHaveProperty("gln");
  });

  it("adds no organization without the option: the nodes' organizations alone govern", async () => {
    const { genesis } = await layout(false);
    expect(genesis.organizations.map((org) => org.kind)).toEqual([
      "hospital",
      "insurer",
      "manufacturer",
      "pharmacy",
    ]);
  });
});
