import type { ConnectionGater, PeerId } from "@libp2p/interface";
import { nodeKeyOfPeer } from "./identity.js";

/**
 * Admits only peers whose node key is in the current membership, checked when the Noise
 * handshake has proven the remote's key: everyone else is refused before any protocol runs.
 * The membership is read on every check, so governance changes apply without a restart.
 */
export function membershipGater(isMember: (nodeKeyHex: string) => boolean): ConnectionGater {
  const refuse = (peer: PeerId): boolean => {
    const key = nodeKeyOfPeer(peer);
    return key === null || !isMember(key);
  };
  return {
    denyDialPeer: async (peer) => refuse(peer),
    denyInboundEncryptedConnection: async (peer) => refuse(peer),
    denyOutboundEncryptedConnection: async (peer) => refuse(peer),
    denyInboundUpgradedConnection: async (peer) => refuse(peer),
    denyOutboundUpgradedConnection: async (peer) => refuse(peer),
  };
}
