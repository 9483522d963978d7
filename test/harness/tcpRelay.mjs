// A user-space TCP relay: `node tcpRelay.mjs LISTEN_HOST LISTEN_PORT TARGET_HOST TARGET_PORT`.
// Run inside a node's network namespace (netnsCluster.ts), it makes the node's API, which listens
// on an address of that namespace, reachable from the test on the namespace's control link.
// Plain JavaScript: it starts in milliseconds, without a TypeScript loader.
import { connect, createServer } from "node:net";

const [listenHost, listenPort, targetHost, targetPort] = process.argv.slice(2);
if (targetPort === undefined) {
  console.error("usage: tcpRelay.mjs LISTEN_HOST LISTEN_PORT TARGET_HOST TARGET_PORT");
  process.exit(2);
}

const server = createServer((client) => {
  const upstream = connect(Number(targetPort), targetHost);
  // Either side closing or failing ends both: a client then sees the API as down, as it is.
  client.on("error", () => upstream.destroy());
  upstream.on("error", () => client.destroy());
  client.pipe(upstream);
  upstream.pipe(client);
});
server.listen(Number(listenPort), listenHost, () => {
  console.log(`relaying ${listenHost}:${listenPort} to ${targetHost}:${targetPort}`);
});
