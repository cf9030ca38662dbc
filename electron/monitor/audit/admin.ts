/**
 * Who takes an administrative action on this machine (instrument, uninstrument, every CLI command that
 * writes: settings, backups, alert edits and silences): one name, so an auditor filtering by actor finds
 * all the CLI did.
 */
import { userInfo } from "node:os";

/** The local user, as the actor of actions taken on this machine. */
export function localActor(): string {
  try {
    return userInfo().username;
  } catch {
    return "unknown";
  }
}
