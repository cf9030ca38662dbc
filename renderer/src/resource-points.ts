import type { ResourcePoint } from "../../shared/servers.js";

/** A server detail's stored resource samples as chart points, oldest first. */
export function resourcePoints(
  stored: readonly ResourcePoint[],
): { t: number; cpuPct: number | null; rssBytes: number }[] {
  return stored
    .map((r) => ({ t: Date.parse(r.time), cpuPct: r.cpuPct, rssBytes: r.rssBytes }))
    .filter((r) => !Number.isNaN(r.t))
    .sort((a, b) => a.t - b.t);
}
