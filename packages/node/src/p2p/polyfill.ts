// libp2p 3 calls Promise.withResolvers, which Node 20 lacks (Node 22 has it). Without it inbound
// handshakes fail and the dialer sees only ECONNRESET (STACK.md). Imported first by the host.
interface Resolvers<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

const promiseConstructor = Promise as unknown as { withResolvers?: <T>() => Resolvers<T> };

if (typeof promiseConstructor.withResolvers !== "function") {
  promiseConstructor.withResolvers = <T>(): Resolvers<T> => {
    let resolve: Resolvers<T>["resolve"] = () => undefined;
    let reject: Resolvers<T>["reject"] = () => undefined;
    const promise = new Promise<T>((onResolve, onReject) => {
      resolve = onResolve;
      reject = onReject;
    });
    return { promise, resolve, reject };
  };
}
