/** cross-spawn (the SDK's own dependency, used by its stdio transport) has the signature of Node's spawn. */
declare module "cross-spawn" {
  import type { spawn } from "node:child_process";

  const crossSpawn: typeof spawn;
  export default crossSpawn;
}
