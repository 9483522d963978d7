import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ADMIN_KEY_FILE } from "@careledger/node/devnet";
import {
  type Canonical,
  chainIdOf,
  fromHex,
  generateSecretKey,
  keySigner,
  parseGenesis,
  publicKeyOf,
  type SignedTx,
  type Signer,
  signedRequestHeaders,
  signTx,
} from "@careledger/protocol";

/** An organization admin of a devnet (the key `careledger devnet` wrote for node i's org). */
export async function devnetAdmin(home: string): Promise<Signer> {
  const hex = (await readFile(join(home, ADMIN_KEY_FILE), "utf8")).trim();
  return keySigner(fromHex(hex, 32));
}

/** A signed `identity.register` of a fresh key into `org`, valid until `expires`. */
export function registerTx(
  admin: Signer,
  chain: Uint8Array,
  org: string,
  expires: number,
): SignedTx {
  return signTx(
    {
      v: 1,
      chain,
      type: "identity.register",
      nonce: crypto.getRandomValues(new Uint8Array(8)),
      expires,
      payload: { key: publicKeyOf(generateSecretKey()), org, roles: ["clinician"] },
    },
    admin,
  );
}

/** POSTs one transaction; resolves with the HTTP status and the answer's JSON. */
export async function submit(
  url: string,
  signed: SignedTx,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${url}/v1/txs`, {
    method: "POST",
    headers: { "content-type": "application/msgpack" },
    body: signed.bytes,
  });
  return { status: response.status, body: await response.json() };
}

export async function txStatus(
  url: string,
  id: string,
): Promise<{ status: string; height?: number }> {
  const response = await fetch(`${url}/v1/txs/${id}`);
  return (await response.json()) as { status: string; height?: number };
}

/** Any signed transaction of `type` with `payload`, valid until `expires`. */
export function signedTx(
  signer: Signer,
  chain: Uint8Array,
  type: string,
  payload: Canonical,
  expires: number,
): SignedTx {
  const nonce = crypto.getRandomValues(new Uint8Array(8));
  return signTx({ v: 1, chain, type, nonce, expires, payload }, signer);
}

/**
 * A request to the node whose home is `home` at `url`, signed by `signer` for that node (its
 * chain and node key read from the home), with raw bytes in and the Response out.
 */
export async function signedFetch(
  node: { readonly home: string; readonly url: string },
  signer: Signer,
  method: "GET" | "POST",
  path: string,
  body?: Uint8Array,
): Promise<Response> {
  const genesis = parseGenesis(JSON.parse(await readFile(join(node.home, "genesis.json"), "utf8")));
  const secret = fromHex((await readFile(join(node.home, "node.key"), "utf8")).trim(), 32);
  const target = { chainId: chainIdOf(genesis), nodeKey: publicKeyOf(secret) };
  const headers = signedRequestHeaders(signer, target, method, path, body);
  return fetch(`${node.url}${path}`, {
    method,
    headers: { ...headers, ...(body && { "content-type": "application/octet-stream" }) },
    ...(body && { body }),
  });
}
