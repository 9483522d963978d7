const POLL_MS = 50;

/** Polls `check` until it returns a value, or fails after `timeoutMs` saying what it waited for. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
      if (error instanceof Error && error.message.includes("exited")) throw error;
    }
    await new Promise((done) => setTimeout(done, POLL_MS));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${String(lastError)})`);
}
