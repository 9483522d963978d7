import {
  CareLedgerClient,
  generateSecretKey,
  importSecretKeyHex,
  importSecretKeyJwk,
  importSecretKeyPem,
  keySigner,
  type Signer,
  toHex,
} from "@careledger/sdk";

/** The node that served this page: the console talks to no other. */
export const NODE_URL = window.location.origin;

/** The key the console acts as: held in this tab's memory only, never sent anywhere. */
export interface Session {
  readonly signer: Signer;
  readonly key: string;
  readonly client: CareLedgerClient;
}

/**
 * Reads a key file as the devnet writes them: an admin's 64 hex digits, a demo key's private JWK
 * (`.devnet/demo/*.jwk`), or PEM (PKCS #8).
 */
export function sessionOfKeyText(text: string): Session {
  const trimmed = text.trim();
  const secret = trimmed.startsWith("{")
    ? importSecretKeyJwk(JSON.parse(trimmed))
    : trimmed.includes("-----BEGIN")
      ? importSecretKeyPem(trimmed)
      : importSecretKeyHex(trimmed);
  return sessionOf(keySigner(secret));
}

/** A key created here, in the browser. */
export function newSession(): Session {
  return sessionOf(keySigner(generateSecretKey()));
}

function sessionOf(signer: Signer): Session {
  return {
    signer,
    key: toHex(signer.publicKey),
    client: new CareLedgerClient(NODE_URL, { signer }),
  };
}

/** The client for public reads, unsigned. */
export const publicClient = new CareLedgerClient(NODE_URL);
