import type { Verifier } from "@careledger/protocol";
import { describe, expect, test } from "vitest";
import { TEST_PARAMS } from "./cluster.helper.js";
import { Replica } from "./replica.js";
import { FastKeyring, sha256Fast } from "./sim/fastCrypto.js";
import type { ConsensusMessage } from "./types.js";

const HASH = new Uint8Array(32).fill(9);
const BAD_SIG = new Uint8Array(64);

/** A replica of four whose verifier counts its calls. */
function replicaCountingVerifications() {
  const keyring = new FastKeyring();
  const signers = [0, 1, 2, 3].map((index) => keyring.signer(index));
  const counted = { calls: 0 };
  const verifier: Verifier = {
    verify: (key, message, sig) => {
      counted.calls += 1;
      return keyring.verify(key, message, sig);
    },
  };
  const genesisHash = sha256Fast([Uint8Array.of(8)]);
  const replica = Replica.create(
    {
      chainId: sha256Fast([Uint8Array.of(7)]),
      genesisHash,
      signer: signers[1] as NonNullable<(typeof signers)[1]>,
      verifier,
      params: TEST_PARAMS,
      genesisValidators: signers.map((signer) => signer.publicKey),
    },
    { height: 0, hash: genesisHash, certificate: null },
  );
  replica.handle({ type: "start", now: 0 });
  const stranger = keyring.signer(99).publicKey;
  const member = (signers[2] as NonNullable<(typeof signers)[2]>).publicKey;
  return { replica, counted, stranger, member };
}

describe("cheap checks before signatures", () => {
  const cases: [
    string,
    (keys: { stranger: Uint8Array; member: Uint8Array }) => ConsensusMessage,
  ][] = [
    [
      "prepare-not-validator",
      ({ stranger }) => ({
        kind: "prepare",
        from: stranger,
        sig: BAD_SIG,
        height: 1,
        view: 0,
        hash: HASH,
      }),
    ],
    [
      "commit-height",
      ({ member }) => ({
        kind: "commit",
        from: member,
        sig: BAD_SIG,
        height: 1 + TEST_PARAMS.window,
        view: 0,
        hash: HASH,
      }),
    ],
    [
      "prepare-view",
      ({ member }) => ({
        kind: "prepare",
        from: member,
        sig: BAD_SIG,
        height: 1,
        view: 40,
        hash: HASH,
      }),
    ],
  ];
  for (const [reason, make] of cases) {
    test(`${reason} is refused without verifying a signature`, () => {
      const { replica, counted, stranger, member } = replicaCountingVerifications();
      replica.handle({ type: "message", message: make({ stranger, member }), now: 1 });
      expect(replica.dropped.get(reason)).toBe(1);
      expect(replica.dropped.get("signature")).toBeUndefined();
      expect(counted.calls).toBe(0);
    });
  }

  test("a message that passes them still has its signature checked", () => {
    const { replica, counted, member } = replicaCountingVerifications();
    const message: ConsensusMessage = {
      kind: "prepare",
      from: member,
      sig: BAD_SIG,
      height: 1,
      view: 0,
      hash: HASH,
    };
    replica.handle({ type: "message", message, now: 1 });
    expect(replica.dropped.get("signature")).toBe(1);
    expect(counted.calls).toBe(1);
  });
});
