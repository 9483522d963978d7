import {
  CareLedgerError,
  type Genesis,
  type GenesisPeer,
  type MemberFile,
} from "@careledger/protocol";
import type { NodeConfig } from "./config.js";

/** Hosts that listen on every interface, from which no dialable address follows. */
const ANY_HOST = new Set(["0.0.0.0"]);

/**
 * The p2p address this node announces: `p2pAnnounce`, or else its listen host and port. A node
 * listening on 0.0.0.0 (behind NAT, in a container) must say which address peers dial.
 */
export function announcedAddress(config: NodeConfig): string {
  if (config.p2pAnnounce !== undefined) return config.p2pAnnounce;
  if (ANY_HOST.has(config.host)) {
    throw new CareLedgerError(
      "CONFIG_INVALID",
      `host ${config.host} listens on every interface: set p2pAnnounce (init --announce /ip4/A.B.C.D/tcp/P) to the address peers dial`,
    );
  }
  return `/ip4/${config.host}/tcp/${config.p2pPort}`;
}

/**
 * The peers a node dials: its config's when it lists any (an operator's override, a node added
 * after genesis), or else the genesis peers from the ceremony's member files, itself (`own`, its
 * node key in hex) left out.
 */
export function peersToDial(config: NodeConfig, genesis: Genesis, own: string): GenesisPeer[] {
  if (config.peers.length > 0) return config.peers;
  return (genesis.peers ?? []).filter((peer) => peer.nodeKey !== own);
}

/**
 * Refuses (GENESIS_MISMATCH) a genesis made without this home's member file as it is: its
 * organization missing or with other admin keys, this node not one of its nodes nor a validator,
 * or the genesis peers giving this node another address than the one it announces (peers would
 * dial the wrong place). Run at start for a home `careledger init` made, unless it joins later.
 */
export function assertGenesisHoldsMember(
  genesis: Genesis,
  member: MemberFile,
  own: string,
  announced: string,
): void {
  const mismatch = (reason: string) => new CareLedgerError("GENESIS_MISMATCH", reason);
  const org = genesis.organizations.find((candidate) => candidate.id === member.id);
  if (org === undefined) throw mismatch(`no organization ${member.id} (this home's member file)`);
  const sorted = (keys: readonly string[]) => JSON.stringify([...keys].sort());
  if (sorted(org.adminKeys) !== sorted(member.adminKeys)) {
    throw mismatch(`${member.id}'s admin keys differ from this home's member file`);
  }
  if (!org.nodeKeys.includes(own) || !genesis.validators.includes(own)) {
    throw mismatch(`this node's key ${own} is not a validator node of ${member.id}`);
  }
  if (genesis.peers === undefined) return;
  const peer = genesis.peers.find((candidate) => candidate.nodeKey === own);
  if (peer === undefined) throw mismatch(`the genesis peers do not list this node ${own}`);
  if (peer.address !== announced) {
    throw mismatch(
      `the genesis peers dial this node at ${peer.address}, but it announces ${announced} (p2pAnnounce, or host and p2pPort)`,
    );
  }
}
