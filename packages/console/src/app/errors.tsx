import { CareLedgerError } from "@careledger/sdk";

/** An API error as its code and message, never a blank: what the node said, word for word. */
export function messageOf(error: unknown): string {
  if (error instanceof CareLedgerError) return `${error.code}: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}

export function ErrorBox({ error }: { readonly error: unknown }) {
  if (error === undefined) return null;
  return (
    <p class="error" role="alert">
      {messageOf(error)}
    </p>
  );
}
