import { type QueryCaller, type Signer, toHex } from "@careledger/protocol";
import type { Harness } from "./harness.js";

/** One key a test world registers: in org `org-<org>`, with these roles. */
export interface CastMember {
  readonly signer: Signer;
  readonly org: number;
  readonly roles: readonly string[];
}

/** Registers every member's key, each by its org's admin, in one block (block 1 of a world). */
export async function registerCast(
  h: Harness,
  cast: Readonly<Record<string, CastMember>>,
): Promise<void> {
  const registers = Object.values(cast).map(({ signer, org, roles }) =>
    h.tx(
      "identity.register",
      { key: signer.publicKey, org: `org-${org}`, roles: [...roles] },
      h.org(org).admin,
    ),
  );
  const receipts = await h.block(registers);
  if (receipts.some((receipt) => receipt.status !== "ok")) throw new Error("setup failed");
}

/** The verified caller a signed request of `member` makes. */
export function castCaller({ signer, org, roles }: CastMember): QueryCaller {
  return {
    key: toHex(signer.publicKey),
    identity: { org: `org-${org}`, roles: [...roles] },
    adminOf: [],
  };
}
