/** server-everything over Streamable HTTP or SSE on a port of its own, for remote probes. */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { SERVERS } from "../helpers/mcp.js";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

export interface RemoteServer {
  port: number;
  child: ChildProcess;
  /** What the server printed on stdout so far (its request log). */
  log(): string;
  stop(): Promise<void>;
}

/** Starts server-everything in `mode` on `port` and resolves once it listens. */
export async function startRemote(mode: "streamableHttp" | "sse", port: number): Promise<RemoteServer> {
  const [entry] = SERVERS.everything();
  const child = spawn(process.execPath, [entry ?? "", mode], {
    env: { ...process.env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    log += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => reject(new Error(`server did not listen: ${text}`)), 15_000);
    child.stderr?.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      if (/listening on port|running on/i.test(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${text}`));
    });
  });
  return {
    port,
    child,
    log: () => log,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGKILL");
      }),
  };
}
