/**
 * A local command: the notification JSON on its stdin, a few facts in its environment. No shell (the
 * arguments reach it as written); cross-spawn so `.cmd` scripts run on Windows.
 */
import crossSpawn from "cross-spawn";
import { type AlertNotification, type Channel, type DeliveryOutcome, withoutReportFiles } from "./channel.js";
import type { CommandConfig } from "./config.js";
import { truncate } from "./format.js";

const STDERR_BYTES = 4096;
/** After SIGTERM, how long a command gets to exit before SIGKILL. */
const KILL_GRACE_MS = 2000;

export function createCommandChannel(config: CommandConfig): Channel {
  return {
    name: config.name,
    type: "command",
    send: (notification, signal) => runCommand(config, notification, signal),
  };
}

export function commandEnv(config: CommandConfig, notification: AlertNotification): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...config.env,
    MCPSCOPE_ALERT_STATUS: notification.status,
    MCPSCOPE_ALERT_SEVERITY: notification.severity,
    MCPSCOPE_ALERT_TITLE: notification.title,
  };
}

function runCommand(
  config: CommandConfig,
  notification: AlertNotification,
  signal: AbortSignal,
): Promise<DeliveryOutcome> {
  const failure = (permanent: boolean, error: string): DeliveryOutcome => ({
    ok: false,
    permanent,
    status: null,
    error,
  });
  if (signal.aborted) return Promise.resolve(failure(false, `cancelled before running ${config.command}`));

  return new Promise((resolve) => {
    const child = crossSpawn(config.command, config.args, {
      stdio: ["pipe", "ignore", "pipe"],
      env: commandEnv(config, notification),
      windowsHide: true,
    });
    const stderr: Buffer[] = [];
    let stderrBytes = 0;
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;

    const finish = (outcome: DeliveryOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      resolve(outcome);
    };
    // Stop it, and answer now: a grandchild holding stderr open must not hold the outbox.
    const stop = (error: string) => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        killTimer = setTimeout(() => child.kill("SIGKILL"), KILL_GRACE_MS);
        killTimer.unref();
      }
      child.stderr?.destroy();
      finish(failure(false, error));
    };
    const onAbort = () => stop(`cancelled: ${config.command} stopped`);
    const timer = setTimeout(
      () => stop(`${config.command} did not finish within ${config.timeout} ms; stopped`),
      config.timeout,
    );
    signal.addEventListener("abort", onAbort, { once: true });

    child.on("error", (error: NodeJS.ErrnoException) => {
      // ENOENT or EACCES: the command is missing or not executable, which a retry does not change.
      const permanent = error.code === "ENOENT" || error.code === "EACCES";
      const what =
        error.code === "ENOENT" ? "command not found" : `cannot run (${error.code ?? error.message})`;
      finish(failure(permanent, `${what}: ${config.command}`));
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      if (stderrBytes >= STDERR_BYTES) return;
      stderr.push(chunk.subarray(0, STDERR_BYTES - stderrBytes));
      stderrBytes += chunk.byteLength;
    });
    child.on("close", (code, killedBy) => {
      clearTimeout(killTimer);
      if (code === 0) return finish({ ok: true, status: 0 });
      const line = firstLine(Buffer.concat(stderr).toString("utf8"));
      const how = code !== null ? `exit ${code}` : `killed by ${killedBy}`;
      finish(failure(false, line ? `${how}: ${line}` : how));
    });

    // A command that ignores its stdin closes the pipe early (EPIPE): its exit code still decides.
    child.stdin?.on("error", () => {});
    child.stdin?.end(JSON.stringify(withoutReportFiles(notification)));
  });
}

function firstLine(text: string): string {
  const line = text.split(/\r?\n/).find((l) => l.trim() !== "") ?? "";
  return truncate(line.trim(), 200);
}
