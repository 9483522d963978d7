import { toHex } from "@careledger/protocol";
import { generateKeyPairFromSeed, publicKeyFromRaw } from "@libp2p/crypto/keys";
import type { Ed25519PrivateKey, PeerId } from "@libp2p/interface";
import { peerIdFromPublicKey } from "@libp2p/peer-id";

/** The node's libp2p identity is its Ed25519 node key: the 32-byte secret is noble's seed. */
export async function libp2pKeyOf(nodeSecretKey: Uint8Array): Promise<Ed25519PrivateKey> {
  return generateKeyPairFromSeed("Ed25519", nodeSecretKey);
}

export function peerIdOfNodeKey(nodePublicKey: Uint8Array): PeerId {
  return peerIdFromPublicKey(publicKeyFromRaw(nodePublicKey));
}

/** The node key (hex) behind a peer id, or null when the peer id carries no Ed25519 key. */
export function nodeKeyOfPeer(peer: PeerId): string | null {
  if (peer.type !== "Ed25519" || peer.publicKey === undefined) return null;
  return toHex(peer.publicKey.raw);
}
