/** A thrown value as the one line the views show. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
