/** What `--listen` went wrong with, in one line a user can act on; null when it is no listening problem. */
import { MonitoringError } from "../monitor/errors.js";
import { blockedPortText, fetchBlocksPort } from "../monitor/supervisor/blocked-ports.js";
import { UsageError } from "./args.js";

/**
 * A `--listen` port that fetch refuses is out of reach of every browser and fetch-based client: a usage
 * error before anything listens, rather than a URL no one can open.
 */
export function refuseBlockedPort(host: string, port: number): void {
  if (fetchBlocksPort(port))
    throw new UsageError(`--listen ${host}:${port}: ${blockedPortText(port)}; listen on another port`);
}

export function listenError(error: unknown, host: string, port: number): MonitoringError | null {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EADDRINUSE")
    return new MonitoringError(
      "collection",
      `${host}:${port} is in use; pass --listen ${host}:PORT with a free port`,
    );
  if (code === "EADDRNOTAVAIL")
    return new MonitoringError("collection", `${host} is not an address of this machine`);
  if (code === "ENOTFOUND" || code === "EAI_AGAIN")
    return new MonitoringError(
      "collection",
      `cannot resolve ${host}: pass --listen with an address of this machine`,
    );
  return null;
}
