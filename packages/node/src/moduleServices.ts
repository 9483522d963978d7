import { randomBytes } from "node:crypto";
import type { Ledger, LedgerModule, LocalStore, ModuleServices } from "@careledger/ledger";
import {
  type Canonical,
  CareLedgerError,
  fromHex,
  NONCE_BYTES,
  type SignedTx,
  type Signer,
  signTx,
  TX_VERSION,
  toHex,
} from "@careledger/protocol";
import type { Logger } from "./logger.js";

/**
 * Heights a transaction the node submits for a module stays valid for: as the SDK's default
 * (about a minute or two); a worker that sees it expire submits again.
 */
export const SUBMIT_TX_TTL = 100;

const TX_ID_HEX = /^[0-9a-f]{64}$/;

/** What the node lends its modules: the parts ModuleServices is made of. */
export interface ModuleServicesInit {
  readonly ledger: Ledger;
  /** The node's LocalStore (`<home>/local`), open while the modules run. */
  readonly local: LocalStore;
  readonly keyEncryptionKey: Uint8Array;
  /** Each module's section of the node config (`modules.<name>`). */
  readonly settings: Readonly<Record<string, unknown>>;
  readonly log: Logger;
  /** Signs with the node key. */
  readonly signer: Signer;
  /**
   * The node's admission path for a client's transaction (mempool checks, then gossip to the
   * peers); throws the CareLedgerError of the rule that refused it.
   */
  readonly admit: (bytes: Uint8Array) => Promise<SignedTx>;
}

/**
 * ModuleServices for each module, made once per module (its routes and its worker share them):
 * reads of the head limited to the module's namespaces, its LocalStore space, the node's keys,
 * and submission of the module's own transaction types signed by the node key.
 */
export function moduleServices(init: ModuleServicesInit): (module: LedgerModule) => ModuleServices {
  const made = new Map<string, ModuleServices>();
  const nodeKey = toHex(init.signer.publicKey);
  return (module) => {
    let services = made.get(module.name);
    if (services === undefined) {
      services = servicesOf(init, module, nodeKey);
      made.set(module.name, services);
    }
    return services;
  };
}

function servicesOf(init: ModuleServicesInit, module: LedgerModule, nodeKey: string) {
  const { ledger } = init;
  const types = new Set(module.txTypes.map((type) => type.contract.type));
  const services: ModuleServices = {
    head: () => ledger.reads.moduleReader(module.name),
    local: init.local.space(module.name),
    // A copy: a module that overwrote its array would not change another's key.
    keyEncryptionKey: Uint8Array.from(init.keyEncryptionKey),
    nodeKey,
    settings: init.settings[module.name] ?? {},
    log: init.log.child({ module: module.name }),
    // Genesis and governance may list one node key in several organizations: the first, sorted.
    nodeOrg: async () => (await ledger.reads.nodeOrganizations(nodeKey))[0] ?? null,
    submit: async (type, payload) => {
      if (!types.has(type)) {
        throw new CareLedgerError("TX_UNKNOWN_TYPE", `module ${module.name} has no type ${type}`);
      }
      const signed = signTx(
        {
          v: TX_VERSION,
          chain: ledger.chainId,
          type,
          nonce: Uint8Array.from(randomBytes(NONCE_BYTES)),
          expires: ledger.head.height + SUBMIT_TX_TTL,
          payload: checkedPayload(ledger, type, payload),
        },
        init.signer,
      );
      try {
        return toHex((await init.admit(signed.bytes)).id);
      } catch (error) {
        if (error instanceof CareLedgerError) throw error;
        throw new CareLedgerError("INTERNAL", `admission failed: ${String(error)}`);
      }
    },
    committedTx: async (idHex) => {
      if (!TX_ID_HEX.test(idHex)) {
        throw new CareLedgerError("BAD_REQUEST", "a transaction id is 64 lowercase hex digits");
      }
      return ledger.reads.committedTx(fromHex(idHex, 32));
    },
    query: (name, params, caller) => ledger.reads.query(name, params, caller),
  };
  return services;
}

/** The payload its contract's schema accepts, or TX_PAYLOAD_INVALID before anything is signed. */
function checkedPayload(ledger: Ledger, type: string, payload: Canonical): Canonical {
  const contract = ledger.registry.txType(type)?.contract;
  if (contract === undefined) throw new CareLedgerError("TX_UNKNOWN_TYPE", `no type ${type}`);
  return contract.payload.check(payload) as Canonical;
}
