import { setMaxListeners } from "node:events";
import { join } from "node:path";
import { CareLedgerError, ORGANIZATION_KINDS } from "@careledger/protocol";
import { Command, InvalidArgumentError } from "commander";
import { apiUrlOf } from "../apiTls.js";
import { loadHome, MEMBER_FILE } from "../config.js";
import { PASSPHRASE_ENV, passphraseFrom } from "../keyCustody.js";
import { createKeyEncryptionKey } from "../keyEncryptionKey.js";
import { startNodeProcess } from "../nodeProcess.js";
import { seedDemo } from "./demo/seed.js";
import {
  type DevnetOptions,
  nodeHomeOf,
  orgAdminKeyFile,
  writeDevnetLayout,
} from "./devnetLayout.js";
import {
  chainIdHex,
  genesisFromMemberFiles,
  readGenesisParams,
  writeGenesisFile,
} from "./genesis.js";
import { addNode, initHome, type MemberInit, type NodeInit } from "./init.js";
import { superviseNodes } from "./supervisor.js";

const NODES_MIN = 4;
const NODES_MAX = 32;
const DEMO_REQUESTS_AT_ONCE_MAX = 64;

interface InitOptions {
  home: string;
  orgId: string;
  name: string;
  kind: string;
  host: string;
  p2pPort: number;
  apiPort: number;
  announce?: string;
  gs1Prefix: string[];
  gln?: string;
  passphraseFile?: string;
}

function nodeInitOf(
  options: Pick<InitOptions, "host" | "p2pPort" | "apiPort" | "announce">,
): NodeInit {
  return {
    host: options.host,
    p2pPort: options.p2pPort,
    apiPort: options.apiPort,
    ...(options.announce !== undefined && { p2pAnnounce: options.announce }),
  };
}

/** The passphrase of commands that make keys: they never write a plain one. */
async function requiredPassphrase(file: string | undefined): Promise<string> {
  const passphrase = await passphraseFrom(file);
  if (passphrase !== null) return passphrase;
  throw new CareLedgerError(
    "KEY_PASSPHRASE_MISSING",
    `the keys made here are encrypted: give --passphrase-file or ${PASSPHRASE_ENV}`,
  );
}

/** A repeatable option's values, in the order given. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function integer(min: number, max: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    }
    return parsed;
  };
}

const program = new Command("careledger").description("CareLedger consortium node");

const passphraseHelp = `file holding the passphrase of the home's key files (else ${PASSPHRASE_ENV})`;

program
  .command("start")
  .description("run one node from its home directory; prints the chain id first")
  .requiredOption("--home <dir>", "node home (config.json, genesis.json, node.key, data/)")
  .option("--passphrase-file <file>", passphraseHelp)
  .option(
    "--joining",
    "this node was admitted by governance after genesis: its genesis cannot list it",
  )
  .option(
    "--unsafe-reset-votes",
    "the consensus log is empty because this key never voted: vote at once (never after a lost or restored data directory)",
  )
  .option(
    "--state-sync",
    "on a data directory that holds only genesis, fetch a peer's certified state snapshot instead of replaying every block",
  )
  .action(
    async (options: {
      home: string;
      passphraseFile?: string;
      joining?: boolean;
      unsafeResetVotes?: boolean;
      stateSync?: boolean;
    }) => {
      await startNodeProcess(options.home, {
        passphrase: await passphraseFrom(options.passphraseFile),
        joining: options.joining === true,
        unsafeResetVotes: options.unsafeResetVotes === true,
        ...(options.stateSync === true ? { stateSync: true } : {}),
      });
    },
  );

program
  .command("init")
  .description(
    "create a member's node home: node key, admin key, key-encryption key (encrypted), config, and the public member.json to send to the other members",
  )
  .requiredOption("--home <dir>", "directory to create")
  .requiredOption("--org-id <id>", "the organization's id (lowercase letters, digits, -)")
  .requiredOption("--name <name>", "the organization's name")
  .requiredOption("--kind <kind>", `one of ${ORGANIZATION_KINDS.join(", ")}`)
  .option("--host <ip>", "p2p listen host (the API's too)", "127.0.0.1")
  .option("--p2p-port <port>", "p2p port", integer(1, 65_535), 26_656)
  .option("--api-port <port>", "HTTP API port", integer(1, 65_535), 8_080)
  .option(
    "--announce <multiaddr>",
    "p2p address peers dial, /ip4/A.B.C.D/tcp/P (default host and p2p port)",
  )
  .option(
    "--gs1-prefix <prefix>",
    "a GS1 company prefix of the organization (repeatable)",
    collect,
    [],
  )
  .option("--gln <gln>", "the organization's GS1 Global Location Number")
  .option("--passphrase-file <file>", passphraseHelp)
  .action(async (options: InitOptions) => {
    const passphrase = await requiredPassphrase(options.passphraseFile);
    const member = await initHome(
      options.home,
      nodeInitOf(options),
      {
        id: options.orgId,
        name: options.name,
        kind: options.kind as MemberInit["kind"],
        ...(options.gs1Prefix.length > 0 && { gs1CompanyPrefixes: options.gs1Prefix }),
        ...(options.gln !== undefined && { gln: options.gln }),
      },
      { passphrase, warn: () => undefined },
    );
    process.stdout.write(
      `created ${options.home}\nnode key: ${member.nodes[0]?.nodeKey}\nannounced: ${member.nodes[0]?.address}\nmember file: ${join(options.home, MEMBER_FILE)} (send it to the other members)\n`,
    );
  });

program
  .command("add-node")
  .description(
    "another node of a member init made: its keys and config in a new home, added to the member file",
  )
  .requiredOption("--home <dir>", "the new node's home")
  .requiredOption("--member <file>", "the organization's member.json (init's home), rewritten")
  .option("--host <ip>", "p2p listen host (the API's too)", "127.0.0.1")
  .option("--p2p-port <port>", "p2p port", integer(1, 65_535), 26_656)
  .option("--api-port <port>", "HTTP API port", integer(1, 65_535), 8_080)
  .option(
    "--announce <multiaddr>",
    "p2p address peers dial, /ip4/A.B.C.D/tcp/P (default host and p2p port)",
  )
  .option("--passphrase-file <file>", passphraseHelp)
  .action(
    async (
      options: Omit<InitOptions, "orgId" | "name" | "kind" | "gs1Prefix" | "gln"> & {
        member: string;
      },
    ) => {
      const member = await addNode(options.home, options.member, nodeInitOf(options), {
        passphrase: await requiredPassphrase(options.passphraseFile),
        warn: () => undefined,
      });
      const added = member.nodes.at(-1);
      process.stdout.write(
        `created ${options.home}\nnode key: ${added?.nodeKey}\nannounced: ${added?.address}\nmember file: ${options.member} now lists ${member.nodes.length} nodes\n`,
      );
    },
  );

program
  .command("genesis")
  .description("assemble genesis.json from the members' member files and print its chain id")
  .requiredOption("--member <file>", "a member file (repeat for every member)", collect, [])
  .requiredOption("--params <file>", "chainName, genesisTime, members (ids in order), params")
  .requiredOption("--out <file>", "the genesis file to write (never over an existing one)")
  .action(async (options: { member: string[]; params: string; out: string }) => {
    const genesis = await genesisFromMemberFiles(
      options.member,
      await readGenesisParams(options.params),
    );
    await writeGenesisFile(options.out, genesis);
    process.stdout.write(
      `wrote ${options.out}: ${genesis.organizations.length} members, ${genesis.validators.length} validators\nchain id: ${chainIdHex(genesis)}\n`,
    );
  });

program
  .command("kek")
  .description(
    "create the key-encryption key (kek.key, mode 0600) of an existing home; never replaces one",
  )
  .requiredOption("--home <dir>", "node home")
  .option("--passphrase-file <file>", passphraseHelp)
  .action(async (options: { home: string; passphraseFile?: string }) => {
    const passphrase = await passphraseFrom(options.passphraseFile);
    await createKeyEncryptionKey(options.home, { passphrase, warn: () => undefined });
    const how = passphrase === null ? "NOT encrypted: no passphrase given" : "encrypted";
    process.stdout.write(`created ${options.home}/kek.key (${how})\n`);
  });

program
  .command("devnet")
  .description("write (or reuse) a local consortium under DIR and run its nodes")
  .option("--nodes <n>", "validators", integer(NODES_MIN, NODES_MAX), 4)
  .option("--dir <dir>", "where node homes live", ".devnet")
  .option(
    "--api-port <port>",
    "API port of node 0; node i listens on port + i",
    integer(1, 65_000),
    8_080,
  )
  .option(
    "--p2p-port <port>",
    "p2p port of node 0; node i listens on port + i",
    integer(1, 65_000),
    26_656,
  )
  .option("--no-start", "only write the node homes and the genesis")
  .option("--no-demo", "start an empty chain: no demo consortium story seeded on a fresh one")
  .action(async (options: DevnetOptions & { start: boolean; demo: boolean }) => {
    const genesis = await writeDevnetLayout({ ...options, consortium: true });
    const homes = genesis.validators.map((_, i) => nodeHomeOf(options.dir, i));
    // The ports a reused layout was written with, whatever this run's options say.
    const configs = await Promise.all(homes.map(async (home) => (await loadHome(home)).config));
    const urls = configs.map(apiUrlOf);
    for (const [i, home] of homes.entries()) {
      process.stdout.write(
        `node-${i}: home ${home}, api ${urls[i]}, p2p ${configs[i]?.host}:${configs[i]?.p2pPort}\n`,
      );
    }
    for (const org of genesis.organizations.filter((each) => each.nodeKeys.length === 0)) {
      process.stdout.write(
        `${org.id} (${org.kind}, no node): admin key ${orgAdminKeyFile(options.dir, org.id)}\n`,
      );
    }
    if (!options.start) return;
    const stopped = new AbortController();
    // Every request of the seed listens to it, a dozen at once when a story runs in parallel.
    setMaxListeners(DEMO_REQUESTS_AT_ONCE_MAX, stopped.signal);
    // The entry script itself, so children run the same code the same way.
    const supervised = superviseNodes(homes, process.argv.slice(1, 2), () => stopped.abort());
    if (options.demo) {
      const log = (line: string) => process.stdout.write(`${line}\n`);
      seedDemo({ dir: options.dir, genesis, urls, signal: stopped.signal, log }).catch(
        (error: unknown) => {
          // The nodes keep running: the chain is fine, only its story is incomplete.
          if (!stopped.signal.aborted) log(`[demo] seeding failed: ${String(error)}`);
        },
      );
    }
    await supervised;
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  // The code first, so a script or an operator's search finds the case (protocol errors.ts).
  const code = error instanceof CareLedgerError ? `${error.code}: ` : "";
  process.stderr.write(`${code}${message}\n`);
  process.exit(1);
});
