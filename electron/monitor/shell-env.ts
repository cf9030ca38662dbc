/**
 * The user's login-shell environment. A packaged app started from the Dock, a desktop launcher or a
 * service manager does not inherit the PATH the user's shell builds (Homebrew, nvm, asdf, ~/.local/bin),
 * so `npx` or `uvx` would not be found. We ask the login shell once (`$SHELL -ilc 'env -0'`) and launch
 * servers with that environment under their own `env`. Windows has no such gap: there we use ours.
 */
import { spawn } from "node:child_process";

export type Env = Record<string, string>;

/** Runs the shell and resolves with its stdout; rejects on failure or timeout. */
export type ShellRunner = (shell: string, args: string[], timeoutMs: number, env: Env) => Promise<Buffer>;

export interface ShellEnvOptions {
  platform?: NodeJS.Platform;
  /** The environment we run in (default `process.env`): the fallback, and where `$SHELL` comes from. */
  baseEnv?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  run?: ShellRunner;
  /** Told once when the login shell could not be read and the fallback is used. */
  onWarning?: (message: string) => void;
}

/** Printed before `env -0` so that whatever the shell's rc files print first is skipped. */
const MARKER = "__MCPSCOPE_ENV_BEGIN__";
/** Variables that describe the shell we ran, not the user's environment. */
const SHELL_ONLY = new Set(["_", "SHLVL", "PWD", "OLDPWD", "PS1", "PS2", "PROMPT_COMMAND"]);
/** Ours, not the server's: the Electron host's mode switches must not leak into a server. */
const NEVER_INHERIT = /^(ELECTRON_RUN_AS_NODE|ELECTRON_NO_ATTACH_CONSOLE|MCPSCOPE_ENGINE_[A-Z_]*)$/;

/** Parses `env -0` output (NAME=value, NUL-separated); values may contain newlines. */
export function parseNulEnv(text: string): Env {
  const env: Env = {};
  for (const entry of text.split("\0")) {
    const eq = entry.indexOf("=");
    if (eq <= 0) continue;
    const name = entry.slice(0, eq);
    if (/\s/.test(name) || SHELL_ONLY.has(name)) continue;
    env[name] = entry.slice(eq + 1);
  }
  return env;
}

/** `fallback` with the login shell's values over it, then the server's own env on top. */
export function mergeLaunchEnv(base: Env, serverEnv: Record<string, string>): Env {
  const env: Env = {};
  for (const [name, value] of Object.entries(base)) if (!NEVER_INHERIT.test(name)) env[name] = value;
  return { ...env, ...serverEnv };
}

export function processEnv(env: NodeJS.ProcessEnv = process.env): Env {
  const out: Env = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined) out[name] = value;
  return out;
}

/** Reads the login shell's environment once and caches it (also the fallback, if reading failed). */
export class LoginShellEnv {
  private cached: Promise<Env> | null = null;
  /** Why the fallback is in use, or null. */
  warning: string | null = null;

  constructor(private readonly options: ShellEnvOptions = {}) {}

  get(): Promise<Env> {
    this.cached ??= this.read();
    return this.cached;
  }

  private async read(): Promise<Env> {
    const base = processEnv(this.options.baseEnv ?? process.env);
    const platform = this.options.platform ?? process.platform;
    if (platform === "win32") return base;
    const shell = base.SHELL || (platform === "darwin" ? "/bin/zsh" : "/bin/sh");
    const timeoutMs = this.options.timeoutMs ?? 5000;
    try {
      const out = await (this.options.run ?? runShell)(
        shell,
        ["-ilc", `printf '%s' '${MARKER}'; env -0`],
        timeoutMs,
        base,
      );
      const text = out.toString("utf8");
      const at = text.lastIndexOf(MARKER);
      if (at === -1) throw new Error("its output had no environment");
      const env = parseNulEnv(text.slice(at + MARKER.length));
      if (!env.PATH) throw new Error("its environment has no PATH");
      // The shell's view wins; anything only we have (set by our launcher) is kept under it.
      return { ...base, ...env };
    } catch (error) {
      this.warning = `cannot read the login shell's environment (${shell}: ${(error as Error).message}); servers start with mcpscope's own environment, so commands like npx may not be found`;
      this.options.onWarning?.(this.warning);
      return base;
    }
  }
}

/**
 * Runs the shell in its own process group (an interactive shell must not grab our terminal), with no
 * stdin, killing the whole group on timeout.
 */
export const runShell: ShellRunner = (shell, args, timeoutMs, env) =>
  new Promise((resolve, reject) => {
    const child = spawn(shell, args, { env, stdio: ["ignore", "pipe", "ignore"], detached: true });
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => {
      kill();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    };
    child.stdout.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > 8 * 1024 * 1024) {
        kill();
        return;
      }
      chunks.push(chunk);
    });
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(Buffer.concat(chunks));
      else reject(new Error(signal ? `killed by ${signal}` : `exited with code ${code}`));
    });
  });

let shared: LoginShellEnv | null = null;

/** The process-wide login environment (read on first use). */
export function loginShellEnv(options?: ShellEnvOptions): LoginShellEnv {
  shared ??= new LoginShellEnv(options);
  return shared;
}
