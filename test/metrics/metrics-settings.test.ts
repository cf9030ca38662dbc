import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  parseMetricsSettings,
  readMetricsSettings,
} from "../../electron/monitor/metrics/metrics-settings.js";
import { DEFAULT_RETENTION } from "../../electron/monitor/metrics/retention.js";

describe("metrics settings", () => {
  it("reads the collection interval and retention from settings.json", async () => {
    const dir = await mkdtemp(join(tmpdir(), "mcpscope-settings-"));
    await writeFile(
      join(dir, "settings.json"),
      JSON.stringify({
        logs: {},
        metrics: { collectionInterval: "5s", retention: { calls: "2d", days: "365d" } },
      }),
    );
    const read = readMetricsSettings(dir);
    expect(read.problem).toBeNull();
    expect(read.settings.collectionIntervalMs).toBe(5000);
    expect(read.settings.retention).toEqual({
      ...DEFAULT_RETENTION,
      rawCallsMs: 2 * 86_400_000,
      daysMs: 365 * 86_400_000,
    });
    await rm(dir, { recursive: true, force: true });
  });

  it("names the bad key and falls back to defaults", () => {
    expect(parseMetricsSettings({ collectionInterval: "often" })).toEqual({
      settings: {},
      problem:
        'settings.json: metrics.collectionInterval: "often" is not a duration; use a number and a unit, like 30s, 5m, 24h or 7d; it uses its default, the other settings apply',
      chosen: true,
    });
    expect(parseMetricsSettings({ retention: { weeks: "1d" } }).problem).toMatch(
      /^settings\.json: metrics\.retention/,
    );
    expect(parseMetricsSettings(undefined)).toEqual({ settings: {}, problem: null, chosen: true });
  });

  it("is quiet when there is no settings file", () => {
    expect(readMetricsSettings(join(tmpdir(), "no-such-mcpscope-dir"))).toEqual({
      settings: {},
      problem: null,
      chosen: true,
    });
  });
});
