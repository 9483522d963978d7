export { CareLedgerNode } from "./careLedgerNode.js";
export { loadHome, type NodeConfig, type NodeHome } from "./config.js";
export { type KeyCustody, PASSPHRASE_ENV, readSecretKey } from "./keyCustody.js";
export { CHANNELS, type ChannelName } from "./p2p/channels.js";
export { Network, type NetworkInit, type PeerAddress } from "./p2p/network.js";
export { nodeCryptoSigner } from "./signer.js";
export * from "./verifier.js";
