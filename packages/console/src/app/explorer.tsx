import {
  type BlockInfo,
  type ChainEvent,
  type NodeStatus,
  type TrustAnchor,
  toHex,
} from "@careledger/sdk";
import { useEffect, useState } from "preact/hooks";
import { ErrorBox } from "./errors.js";
import { fetchMetrics, type NodeMetrics } from "./metrics.js";
import { publicClient, type Session } from "./session.js";
import { useTask } from "./useTask.js";

/** Blocks kept on screen; older ones scroll out. */
const BLOCKS_SHOWN = 12;

interface TxEventData {
  readonly id: string;
  readonly txType: string;
}

/**
 * The trust anchor of the proofs checked here: the chain id and validators this node reports.
 * A verifier who distrusts the node compares them with genesis; the proofs then stand alone.
 */
function trustOf(status: NodeStatus): TrustAnchor {
  return { chainId: status.chainId, validators: status.validators };
}

export function Explorer({ session }: { readonly session: Session | undefined }) {
  const client = session?.client ?? publicClient;
  const [status, setStatus] = useState<NodeStatus>();
  const [metrics, setMetrics] = useState<NodeMetrics>();
  const [blocks, setBlocks] = useState<readonly BlockInfo[]>([]);
  const [types, setTypes] = useState<ReadonlyMap<string, string>>(new Map());
  const [streamError, setStreamError] = useState<unknown>();
  const refresh = useTask();

  useEffect(() => {
    const load = async (height: number) => {
      const block = await client.getBlock(height);
      setBlocks((shown) =>
        [block, ...shown.filter((b) => b.height !== height)].slice(0, BLOCKS_SHOWN),
      );
      setStatus(await client.status());
      setMetrics(await fetchMetrics());
    };
    refresh.run(async () => {
      const first = await client.status();
      setStatus(first);
      await load(first.height);
    });
    // Signed by the session's key when there is one: tx events come with their types then.
    const subscription = client.subscribe(
      {},
      (event: ChainEvent) => {
        if (event.event === "block") {
          const { height } = event.data as { height: number };
          load(height).catch(setStreamError);
        } else if (event.event === "tx") {
          const { id, txType } = event.data as TxEventData;
          setTypes((known) => new Map(known).set(id, txType));
        }
      },
      { onError: setStreamError },
    );
    return () => subscription.close();
  }, [client]);

  return (
    <section aria-labelledby="explorer-title">
      <h2 id="explorer-title">Explorer</h2>
      <ErrorBox error={refresh.error} />
      <ErrorBox error={streamError} />
      {status && <Head status={status} metrics={metrics} />}
      <h3>Latest blocks</h3>
      <ol class="blocks" aria-live="polite">
        {blocks.map((block) => (
          <li key={block.height} data-height={block.height}>
            <strong>#{block.height}</strong> <code>{toHex(block.hash).slice(0, 16)}…</code>{" "}
            {block.txIds.length} tx
            {block.txIds.length > 0 && (
              <ul>
                {block.txIds.map((id) => {
                  const hex = toHex(id);
                  return (
                    <li key={hex}>
                      <span class="tx-type">{types.get(hex) ?? "tx"}</span>{" "}
                      <a href={`#/tx/${hex}`}>
                        <code>{hex.slice(0, 16)}…</code>
                      </a>
                    </li>
                  );
                })}
              </ul>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}

function Head({ status, metrics }: { status: NodeStatus; metrics: NodeMetrics | undefined }) {
  return (
    <dl class="facts">
      <dt>Height</dt>
      <dd data-testid="height">{status.height}</dd>
      <dt>View</dt>
      <dd>{status.view}</dd>
      <dt>Primary</dt>
      <dd>
        <code>{toHex(status.primary).slice(0, 16)}…</code>
      </dd>
      <dt>Peers</dt>
      <dd>{status.peers}</dd>
      <dt>Mempool</dt>
      <dd>{metrics?.mempoolTxs ?? "…"} txs</dd>
      <dt>Commit latency (mean)</dt>
      <dd>
        {metrics?.commitLatencyMeanS === undefined
          ? "none yet"
          : `${(metrics.commitLatencyMeanS * 1000).toFixed(0)} ms`}
      </dd>
      <dt>Validators</dt>
      <dd>
        <ul class="keys">
          {status.validators.map((bytes) => {
            const key = toHex(bytes);
            return (
              <li key={key}>
                <code>{key.slice(0, 16)}…</code>
                {key === toHex(status.primary) ? " (primary)" : ""}
              </li>
            );
          })}
        </ul>
      </dd>
    </dl>
  );
}

/** One transaction: where it committed, its receipt, and its proof checked here. */
export function TxPage({
  id,
  session,
}: {
  readonly id: string;
  readonly session: Session | undefined;
}) {
  const client = session?.client ?? publicClient;
  const task = useTask();
  const [found, setFound] = useState<{ height: number; index: number; status: string }>();
  const [receipt, setReceipt] = useState<string>();
  const [proof, setProof] = useState<string>();
  useEffect(() => {
    task.run(async () => {
      const tx = await client.getTx(id);
      if (tx.status !== "committed") {
        setFound({ height: -1, index: -1, status: tx.status });
        return;
      }
      setFound({ height: tx.height, index: tx.index, status: tx.status });
      if (tx.receipt !== undefined) setReceipt(JSON.stringify(tx.receipt, null, 2));
    });
  }, [id, client]);
  const verify = () =>
    task.run(async () => {
      setProof(undefined);
      const trust = trustOf(await client.status());
      const included = await client.getVerifiedTxInclusion(id, trust);
      setProof(
        `verified: in block ${included.height} at index ${included.index}, certified by a quorum of ${trust.validators.length} validators`,
      );
    });
  return (
    <section aria-labelledby="tx-title">
      <h2 id="tx-title">Transaction</h2>
      <p>
        <code class="wrap">{id}</code>
      </p>
      {found && (
        <p>
          {found.status === "committed"
            ? `committed in block ${found.height} at index ${found.index}`
            : found.status}
        </p>
      )}
      {receipt ? (
        <pre data-testid="receipt">{receipt}</pre>
      ) : (
        <p>The receipt shows to its sender and to member operators: load such a key.</p>
      )}
      <button type="button" onClick={verify} disabled={task.busy}>
        Verify the proof in this browser
      </button>
      {proof && (
        <p class="ok" role="status" data-testid="proof">
          {proof}
        </p>
      )}
      <ErrorBox error={task.error} />
    </section>
  );
}
