/** `--timeout` as `run` and `proxy` take it: one meaning, said once. */
import type { FlagSpec } from "./args.js";

export const TIMEOUT_FLAG: FlagSpec = {
  kind: "string",
  placeholder: "DURATION",
  default: "60s",
  help: "a request the server leaves unanswered this long is stored as `timeout` (not one it sent the client); an answer that comes later still takes the call",
};
