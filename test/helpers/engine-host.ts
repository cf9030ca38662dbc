/**
 * The real engine host (dist/engine-host.mjs, built by `npm run build`) as a child process, driven
 * through the app's own EngineClient, as the Electron main process drives it.
 */
import { type ChildProcess, fork } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { EngineClient, type HostPort } from "../../electron/main/engine-client.js";
import type { MainToHost } from "../../electron/main/host-protocol.js";
import { ROOT } from "./mcp.js";

const LAUNCHER = join(ROOT, "test", "fixtures", "engine-host-launcher.mjs");

export interface RunningHost {
  child: ChildProcess;
  client: EngineClient;
  /** Resolves with the exit code, or the signal's name. */
  exited: Promise<number | string>;
  stderr: () => string;
}

export function forkEngineHost(dataDir: string, home: string, env: NodeJS.ProcessEnv = {}): RunningHost {
  const child = fork(LAUNCHER, [], {
    env: {
      ...process.env,
      MCPSCOPE_HOME: dataDir,
      HOME: home,
      XDG_CONFIG_HOME: join(home, ".config"),
      ...env,
    },
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const port: HostPort = {
    postMessage: (message: MainToHost) => void child.send(message),
    on: (_event, listener) => child.on("message", listener),
  };
  const client = new EngineClient({ timeoutMs: 60_000 });
  client.attach(port);
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => {
      client.detach("the engine host exited");
      resolve(code ?? signal ?? "unknown");
    }),
  );
  return { child, client, exited, stderr: () => stderr };
}

/** Present and not a zombie (a killed orphan may wait a moment for init to reap it). */
export function processRunning(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}
