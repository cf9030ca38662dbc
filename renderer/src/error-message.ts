/** A thrown value as the one line the views show. */
export function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // An input the API refused names its method (`invalid input for storage.schedule: keep: …`), which
  // means nothing to a user: what is wrong, and with which field, is what counts.
  return message.replace(/^invalid input for [\w.]+: (?:input: )?/, "");
}
