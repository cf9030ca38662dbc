/** Who takes an administrative action on this machine (instrument, uninstrument, CLI commands). */
import { userInfo } from "node:os";

/** The local user, as the actor of actions taken on this machine. */
export function localActor(): string {
  try {
    return userInfo().username;
  } catch {
    return "unknown";
  }
}
