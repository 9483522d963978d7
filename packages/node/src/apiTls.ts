import { readFile } from "node:fs/promises";
import { isIPv4 } from "node:net";
import { join, resolve } from "node:path";
import { createSecureContext } from "node:tls";
import type { ApiTls } from "@careledger/api";
import type { NodeConfig } from "./config.js";

/** Where the API listens when the config does not say: this host only. */
export const DEFAULT_API_HOST = "127.0.0.1";

export function apiHostOf(config: NodeConfig): string {
  return config.apiHost ?? DEFAULT_API_HOST;
}

/** The API's base URL as the node itself announces it (logs, the devnet's listing). */
export function apiUrlOf(config: NodeConfig): string {
  const host = apiHostOf(config);
  const shown = host.includes(":") ? `[${host}]` : host;
  return `${config.apiTls === undefined ? "http" : "https"}://${shown}:${config.apiPort}`;
}

/**
 * Addresses only this host can reach: 127.0.0.0/8, ::1 and `localhost` (loopback by RFC 6761).
 * `0.0.0.0` and `::` are every address, so not loopback.
 */
export function isLoopbackHost(host: string): boolean {
  if (host === "localhost" || host === "::1") return true;
  return isIPv4(host) && host.startsWith("127.");
}

/**
 * The config's TLS files, read (paths relative to the home, or absolute) and checked to form a
 * TLS context (a key that does not match its certificate fails here), or undefined for plain
 * HTTP. An
 * API exposed beyond loopback without TLS is refused: requests carry signed reads and records'
 * content, which must not cross a network in clear. Errors name the config file.
 */
export async function readApiTls(dir: string, config: NodeConfig): Promise<ApiTls | undefined> {
  const where = join(dir, "config.json");
  const tls = config.apiTls;
  if (tls === undefined) {
    const host = apiHostOf(config);
    if (isLoopbackHost(host)) return undefined;
    throw new Error(
      `${where}: apiHost ${host} is not a loopback address, so apiTls (certFile, keyFile) is required: the API serves plain HTTP on loopback only`,
    );
  }
  if (tls.requireClientCert !== undefined && tls.clientCaFile === undefined) {
    throw new Error(`${where}: apiTls.requireClientCert needs apiTls.clientCaFile`);
  }
  const read = async (field: string, file: string): Promise<Buffer> => {
    try {
      return await readFile(resolve(dir, file));
    } catch (error) {
      throw new Error(`${where}: apiTls.${field} ${resolve(dir, file)}: ${String(error)}`);
    }
  };
  const material: ApiTls = {
    cert: await read("certFile", tls.certFile),
    key: await read("keyFile", tls.keyFile),
    ...(tls.clientCaFile !== undefined && {
      clientCa: await read("clientCaFile", tls.clientCaFile),
    }),
    requireClientCert: tls.requireClientCert ?? true,
  };
  try {
    createSecureContext({ cert: material.cert, key: material.key, ca: material.clientCa });
  } catch (error) {
    throw new Error(`${where}: apiTls files do not form a TLS context: ${String(error)}`);
  }
  return material;
}
