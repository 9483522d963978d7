/**
 * Registers a new identity on a running CareLedger network, waits for it to commit, and checks
 * the result against headers certified by the genesis validators, trusting no node.
 *
 *   pnpm devnet   # in another terminal: starts a local network under .devnet/
 *   npx tsx --conditions=source packages/sdk/examples/quickstart.ts \
 *     http://127.0.0.1:8080 .devnet/node-0/admin.key
 *
 * Arguments: the node's API URL, the org admin's secret key file (64 hex digits), and optionally
 * the genesis file (by default `genesis.json` beside the key file, as a devnet node home has it).
 */
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import {
  CareLedgerClient,
  chainIdOf,
  exportSecretKeyPem,
  generateKeyPair,
  genesisValidators,
  importSecretKeyHex,
  keyPairFromSecretKey,
  keySigner,
  parseGenesis,
  toHex,
} from "@careledger/sdk";

/** How long to wait for the registration to commit. */
const COMMIT_TIMEOUT_MS = 30_000;
/** Heights the transaction stays valid for. */
const TX_TTL = 100;

async function main(): Promise<void> {
  const [url, adminKeyFile, genesisArgument] = process.argv.slice(2);
  if (url === undefined || adminKeyFile === undefined) {
    throw new Error("usage: quickstart.ts <node url> <admin key file> [genesis file]");
  }
  const admin = keyPairFromSecretKey(importSecretKeyHex(await readFile(adminKeyFile, "utf8")));
  const genesisFile = genesisArgument ?? join(dirname(adminKeyFile), "genesis.json");
  const genesis = parseGenesis(JSON.parse(await readFile(genesisFile, "utf8")));
  // The trust anchor comes from the genesis file, not from the node. (After a governance change
  // of the validator set, a light client follows the headers' nextValidatorsHash instead.)
  const trust = { chainId: chainIdOf(genesis), validators: genesisValidators(genesis) };
  const org = genesis.organizations.find((candidate) =>
    candidate.adminKeys.includes(admin.accountId),
  );
  if (org === undefined) throw new Error(`key ${admin.accountId} administers no organization`);

  // The admin, a member operator, signs the scoped reads: receipts, raw state, queries.
  const client = new CareLedgerClient(url, { signer: keySigner(admin.secretKey) });
  const status = await client.status();
  if (toHex(status.chainId) !== toHex(trust.chainId)) {
    throw new Error("the node serves another chain than the genesis file describes");
  }
  console.log(`node at height ${status.height}, ${status.validators.length} validators`);

  const clinician = generateKeyPair();
  const builder = await client.txBuilder(keySigner(admin.secretKey));
  const tx = builder.build(
    "identity.register",
    { key: clinician.publicKey, org: org.id, roles: ["clinician"] },
    await client.expiresAfter(TX_TTL),
  );
  const committed = await client.submitAndWait(tx, { timeoutMs: COMMIT_TIMEOUT_MS });
  console.log(`registered ${clinician.accountId} in ${org.id}: tx ${committed.id}`);
  console.log(`  committed at height ${committed.height}, index ${committed.index}`);

  const included = await client.getVerifiedTxInclusion(committed.id, trust);
  console.log(`  inclusion proven against the certified header of height ${included.height}`);
  // The identity module keeps a registration under `identity/<account id>`.
  const state = await client.getVerifiedState(`identity/${clinician.accountId}`, trust);
  console.log(`  state proven at height ${state.height}:`, state.value);
  console.log("the new identity's secret key (keep it safe):");
  console.log(exportSecretKeyPem(clinician.secretKey));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
