import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Genesis } from "@careledger/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEVNET_PARAMS } from "./cli/devnetLayout.js";
import { genesisFromMemberFiles, writeGenesisFile } from "./cli/genesis.js";
import { initHome, prepareNode } from "./cli/init.js";
import { CONFIG_FILE, GENESIS_FILE, loadHome, MEMBER_FILE, type NodeConfig } from "./config.js";

/** The cheapest scrypt the bounds allow: these tests are about the ceremony, not the costs. */
const CUSTODY = {
  passphrase: "four homes",
  warn: () => undefined,
  scrypt: { N: 2 ** 14, r: 8, p: 1 },
};
const IDS = ["delta", "alpha", "charlie", "bravo"];

let dir: string;
let homes: string[];
let genesis: Genesis;

/** Four members, each home made by init on "its own host" (10.0.0.i), genesis copied into each. */
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "ceremony-"));
  homes = IDS.map((id) => join(dir, id));
  for (const [i, id] of IDS.entries()) {
    await initHome(
      homes[i] as string,
      {
        host: "0.0.0.0",
        p2pPort: 26_656,
        apiPort: 8_080,
        p2pAnnounce: `/ip4/10.0.0.${i + 1}/tcp/26656`,
      },
      { id, name: `Member ${id}`, kind: "clinic" },
      CUSTODY,
    );
  }
  genesis = await genesisFromMemberFiles(
    homes.map((home) => join(home, MEMBER_FILE)),
    {
      chainName: "ceremony-test",
      genesisTime: 1_763_700_000_000,
      members: [...IDS].sort(),
      params: DEVNET_PARAMS,
    },
  );
  for (const home of homes) await writeGenesisFile(join(home, GENESIS_FILE), genesis);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function editConfig(home: string, change: Partial<NodeConfig>): Promise<() => Promise<void>> {
  const file = join(home, CONFIG_FILE);
  const before = await readFile(file, "utf8");
  await writeFile(file, JSON.stringify({ ...JSON.parse(before), ...change }));
  return () => writeFile(file, before);
}

describe("a home formed by the ceremony", () => {
  it("loads with the genesis made from the member files, and dials the other members", async () => {
    const home = await loadHome(homes[0] as string, { custody: CUSTODY });
    expect(home.announce).toBe("/ip4/10.0.0.1/tcp/26656");
    expect(home.config.peers.map((peer) => peer.address).sort()).toEqual([
      "/ip4/10.0.0.2/tcp/26656",
      "/ip4/10.0.0.3/tcp/26656",
      "/ip4/10.0.0.4/tcp/26656",
    ]);
    expect(genesis.organizations.map((org) => org.id)).toEqual([
      "alpha",
      "bravo",
      "charlie",
      "delta",
    ]);
  });

  it("refuses a genesis without its member, or one that dials it elsewhere (GENESIS_MISMATCH)", async () => {
    const stranger = join(dir, "stranger");
    await initHome(
      stranger,
      { host: "10.0.0.9", p2pPort: 26_656, apiPort: 8_080 },
      { id: "stranger", name: "S", kind: "lab" },
      CUSTODY,
    );
    await writeGenesisFile(join(stranger, GENESIS_FILE), genesis);
    await expect(loadHome(stranger, { custody: CUSTODY })).rejects.toMatchObject({
      code: "GENESIS_MISMATCH",
      message: expect.stringMatching(/genesis.json: no organization stranger/),
    });
    // Admitted by governance later, it starts from the same genesis.
    const joined = await loadHome(stranger, { custody: CUSTODY, joining: true });
    expect(joined.config.peers).toHaveLength(4);

    const restore = await editConfig(homes[1] as string, {
      p2pAnnounce: "/ip4/192.0.2.1/tcp/26656",
    });
    await expect(loadHome(homes[1] as string, { custody: CUSTODY })).rejects.toMatchObject({
      code: "GENESIS_MISMATCH",
      message: expect.stringMatching(
        /dial this node at \/ip4\/10.0.0.2\/tcp\/26656, but it announces \/ip4\/192.0.2.1/,
      ),
    });
    await restore();

    const member = JSON.parse(await readFile(join(homes[2] as string, MEMBER_FILE), "utf8"));
    const otherAdmin = { ...member, adminKeys: [genesis.validators[0]] };
    await writeFile(join(homes[2] as string, MEMBER_FILE), JSON.stringify(otherAdmin));
    await expect(loadHome(homes[2] as string, { custody: CUSTODY })).rejects.toMatchObject({
      code: "GENESIS_MISMATCH",
      message: expect.stringMatching(/admin keys differ/),
    });
    await writeFile(join(homes[2] as string, MEMBER_FILE), JSON.stringify(member));
  });

  it("refuses to listen on 0.0.0.0 without an announced address (CONFIG_INVALID)", async () => {
    expect(() => prepareNode({ host: "0.0.0.0", p2pPort: 26_656, apiPort: 8_080 })).toThrow(
      expect.objectContaining({ code: "CONFIG_INVALID" }),
    );
    const restore = await editConfig(homes[3] as string, { p2pAnnounce: undefined });
    await expect(loadHome(homes[3] as string, { custody: CUSTODY })).rejects.toMatchObject({
      code: "CONFIG_INVALID",
      message: expect.stringMatching(/set p2pAnnounce/),
    });
    await restore();
  });

  it("needs the passphrase of its keys, and says when it is wrong", async () => {
    await expect(loadHome(homes[0] as string)).rejects.toMatchObject({
      code: "KEY_PASSPHRASE_MISSING",
      message: expect.stringContaining("node.key"),
    });
    await expect(
      loadHome(homes[0] as string, { custody: { ...CUSTODY, passphrase: "five homes" } }),
    ).rejects.toMatchObject({ code: "KEY_PASSPHRASE_WRONG" });
  });
});
