/**
 * The main process's policy for errors nothing caught: an unhandled rejection is logged (one entry, with
 * its stack) and the app goes on; an uncaught exception leaves the main process in an unknown state, so it
 * is logged, the user is told in one box, and the app quits the ordinary way (which stops the engine and
 * the servers it runs).
 */

export interface ErrorSource {
  on(event: "uncaughtException", listener: (error: unknown) => void): unknown;
  on(event: "unhandledRejection", listener: (reason: unknown) => void): unknown;
}

export interface ErrorPolicyParts {
  log(line: string): void;
  showErrorBox(title: string, content: string): void;
  quit(): void;
}

const described = (error: unknown): string =>
  error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);

const firstLine = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

export function installErrorPolicy(source: ErrorSource, parts: ErrorPolicyParts): void {
  let quitting = false;
  source.on("unhandledRejection", (reason) => {
    parts.log(`mcpscope: unhandled rejection in the main process: ${described(reason)}`);
  });
  source.on("uncaughtException", (error) => {
    parts.log(`mcpscope: uncaught exception in the main process: ${described(error)}`);
    if (quitting) return;
    quitting = true;
    parts.showErrorBox(
      "mcpscope: an unexpected error",
      `${firstLine(error)}\n\nmcpscope will quit; start it again. The servers it runs are stopped.`,
    );
    parts.quit();
  });
}

/** Runs `onReady` once `ready` resolves; `onError` gets a failure of either, the start included. */
export function whenReady(
  ready: Promise<unknown>,
  onReady: () => void,
  onError: (error: unknown) => void,
): Promise<void> {
  return ready.then(() => onReady()).catch(onError);
}
