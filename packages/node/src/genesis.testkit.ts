import { type Genesis, parseGenesis, type Signer, toHex } from "@careledger/protocol";

/**
 * A test chain's genesis: one hospital organization per validator, each with its admin key and
 * its node key, and consensus parameters small enough for tests (checkpoints every 10 heights,
 * a window of 4).
 */
export function testGenesis(
  chainName: string,
  nodes: readonly Signer[],
  admins: readonly Signer[],
  blockTxsMax: number,
): Genesis {
  return parseGenesis({
    chainName,
    genesisTime: 1_700_000_000_000,
    organizations: nodes.map((node, i) => ({
      id: `org-${i}`,
      name: `Hospital ${i}`,
      kind: "hospital",
      adminKeys: [toHex((admins[i] as Signer).publicKey)],
      nodeKeys: [toHex(node.publicKey)],
    })),
    validators: nodes.map((node) => toHex(node.publicKey)),
    params: {
      checkpointInterval: 10,
      window: 4,
      emptyBlockIntervalMs: 1000,
      requestTimeoutMs: 10_000,
      viewChangeTimeoutMs: 5000,
      clockSkewMaxMs: 2000,
      blockTxsMax,
    },
  });
}
