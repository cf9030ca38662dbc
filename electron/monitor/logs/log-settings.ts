/**
 * The `logs` key of `<dataDir>/settings.json`, resolved with its defaults: minimum level per server,
 * retention per server, and the optional JSON-lines files. Read again when the file changes (checked at
 * most every few seconds), so a running wrapper or engine picks up a new setting without a restart.
 * A missing file means defaults; an invalid value means that value's default plus a problem message; a
 * file that does not parse means the last settings read (settings-document.ts).
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import { parseByteSize } from "../../../shared/byte-sizes.js";
import { durationMs } from "../../../shared/durations.js";
import type { LogLevel } from "../../../shared/levels.js";
import { keepValid, problemLine, readSettingsDocument, settingsPath } from "../settings-document.js";
import { checkLogSettings, type LogSettingsInput } from "./log-settings-input.js";

export { settingsPath };

export interface RetentionLimits {
  maxAgeMs: number;
  maxBytes: number;
}

export interface LogFileSettings {
  /** true: every server; a list: those servers; false: none. */
  enabled: boolean | string[];
  dir: string;
  maxBytes: number;
  rotateEveryMs: number;
  keep: number;
}

export interface LogSettings {
  minLevel: { default: LogLevel; servers: Record<string, LogLevel> };
  retention: { default: RetentionLimits; servers: Record<string, Partial<RetentionLimits>> };
  files: LogFileSettings;
}

export const DEFAULT_RETENTION: RetentionLimits = { maxAgeMs: 14 * 86_400_000, maxBytes: 200 * 1024 * 1024 };

export function defaultLogSettings(dataDir: string): LogSettings {
  return {
    minLevel: { default: "debug", servers: {} },
    retention: { default: DEFAULT_RETENTION, servers: {} },
    files: {
      enabled: false,
      dir: join(dataDir, "logs"),
      maxBytes: 10 * 1024 * 1024,
      rotateEveryMs: 86_400_000,
      keep: 10,
    },
  };
}

/**
 * A checked value in ms or bytes, or `fallback` if it is somehow not positive: a setting must never
 * stop the wrapper or the engine, nor delete everything.
 */
function positive(value: number | null, fallback: number): number {
  return value !== null && Number.isFinite(value) && value > 0 ? value : fallback;
}

/** Resolves the validated `logs` object over the defaults. */
export function resolveLogSettings(dataDir: string, input: LogSettingsInput | undefined): LogSettings {
  const settings = defaultLogSettings(dataDir);
  if (!input) return settings;
  if (typeof input.minLevel === "string") settings.minLevel.default = input.minLevel;
  else if (input.minLevel) {
    const { "*": fallback, ...servers } = input.minLevel;
    if (fallback) settings.minLevel.default = fallback;
    settings.minLevel.servers = servers;
  }
  const limits = (l: { maxAge?: string; maxBytes?: number | string }): Partial<RetentionLimits> => ({
    ...(l.maxAge ? { maxAgeMs: positive(durationMs(l.maxAge), DEFAULT_RETENTION.maxAgeMs) } : {}),
    ...(l.maxBytes !== undefined
      ? { maxBytes: positive(parseByteSize(l.maxBytes), DEFAULT_RETENTION.maxBytes) }
      : {}),
  });
  if (input.retention) {
    settings.retention.default = { ...DEFAULT_RETENTION, ...limits(input.retention) };
    for (const [server, l] of Object.entries(input.retention.servers ?? {}))
      settings.retention.servers[server] = limits(l);
  }
  const f = input.files;
  if (f) {
    settings.files = {
      enabled: f.enabled ?? false,
      dir: f.dir ?? settings.files.dir,
      maxBytes:
        f.maxBytes !== undefined
          ? positive(parseByteSize(f.maxBytes), settings.files.maxBytes)
          : settings.files.maxBytes,
      rotateEveryMs: f.rotateEvery
        ? positive(durationMs(f.rotateEvery), settings.files.rotateEveryMs)
        : settings.files.rotateEveryMs,
      keep: f.keep ?? settings.files.keep,
    };
  }
  return settings;
}

export function minLevelFor(settings: LogSettings, server: string): LogLevel {
  return settings.minLevel.servers[server] ?? settings.minLevel.default;
}

export function retentionFor(settings: LogSettings, server: string): RetentionLimits {
  return { ...settings.retention.default, ...settings.retention.servers[server] };
}

export function filesEnabledFor(settings: LogSettings, server: string): boolean {
  const enabled = settings.files.enabled;
  return Array.isArray(enabled) ? enabled.includes(server) : enabled;
}

/**
 * Reads the settings file now. `unreadable`: the file (or the data dir) could not be read at all, which
 * whoever reports the data dir's own problems (the wrapper, about its database) already says. `chosen`:
 * false while no version of the file has been read, so the settings are defaults nobody chose, and
 * retention must wait.
 */
export function readLogSettings(dataDir: string): {
  settings: LogSettings;
  problem: string | null;
  unreadable?: boolean;
  chosen: boolean;
} {
  const { document, problem, unreadable } = readSettingsDocument(dataDir);
  if (!document) return { settings: defaultLogSettings(dataDir), problem, unreadable, chosen: false };
  const logs = keepValid<LogSettingsInput>("logs", document.logs, checkLogSettings);
  const problems = [problem, problemLine(logs.problems)].filter(Boolean);
  return {
    settings: resolveLogSettings(dataDir, logs.value),
    problem: problems.length ? problems.join("; ") : null,
    ...(unreadable ? { unreadable } : {}),
    chosen: true,
  };
}

/** The current settings, re-read when the file's size or mtime changed (checked at most every `checkMs`). */
export class LogSettingsSource {
  private settings: LogSettings;
  private stamp = "";
  private checkedAt = 0;
  private readonly reported = new Set<string>();
  private chosen = false;

  constructor(
    private readonly dataDir: string,
    private readonly onProblem: (message: string, unreadable: boolean) => void = () => {},
    private readonly checkMs = 2000,
  ) {
    this.settings = defaultLogSettings(dataDir);
    this.reload(true);
  }

  current(now = Date.now()): LogSettings {
    if (now - this.checkedAt >= this.checkMs) this.reload(false, now);
    return this.settings;
  }

  /** The current settings if they are the user's (the file has been read), else null: retention waits. */
  chosenSettings(now = Date.now()): LogSettings | null {
    const settings = this.current(now);
    return this.chosen ? settings : null;
  }

  private reload(force: boolean, now = Date.now()): void {
    this.checkedAt = now;
    let stamp = "none";
    try {
      const stat = statSync(settingsPath(this.dataDir));
      stamp = `${stat.size}:${stat.mtimeMs}`;
    } catch {}
    if (!force && stamp === this.stamp) return;
    this.stamp = stamp;
    const { settings, problem, unreadable, chosen } = readLogSettings(this.dataDir);
    this.settings = settings;
    this.chosen = chosen;
    if (problem && !this.reported.has(problem)) {
      this.reported.add(problem);
      this.onProblem(problem, unreadable ?? false);
    }
  }
}
