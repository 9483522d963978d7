import { useState } from "preact/hooks";

/** A user action in flight: its error (shown by ErrorBox) and whether it is running. */
export interface Task {
  readonly busy: boolean;
  readonly error: unknown;
  /** Starts `action`; its failure lands in `error`, so callers need not await it. */
  readonly run: (action: () => Promise<unknown>) => void;
}

export function useTask(): Task {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const run = (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    action().then(
      () => setBusy(false),
      (caught: unknown) => {
        setError(caught);
        setBusy(false);
      },
    );
  };
  return { busy, error, run };
}
