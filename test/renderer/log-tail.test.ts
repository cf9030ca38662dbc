import { describe, expect, it } from "vitest";
import { appendCapped, FrameBatcher, matchesFilter, queryTerms } from "../../renderer/src/log-tail.js";
import type { LogRecord } from "../../shared/logs.js";

const record = (over: Partial<LogRecord>): LogRecord => ({
  id: 1,
  time: "2026-11-25T10:00:00.000Z",
  level: "info",
  server: "files",
  session: "s1",
  source: "stderr",
  logger: null,
  message: "listed 42 entries",
  fields: null,
  requestId: null,
  ...over,
});

describe("live tail plumbing", () => {
  it("keeps the newest `cap` items and says how many went from the top", () => {
    expect(appendCapped([1, 2, 3], [4, 5], 10)).toEqual({ items: [1, 2, 3, 4, 5], trimmed: 0 });
    expect(appendCapped([1, 2, 3], [4, 5], 4)).toEqual({ items: [2, 3, 4, 5], trimmed: 1 });
    expect(appendCapped([1, 2], [3, 4, 5, 6, 7], 3)).toEqual({ items: [5, 6, 7], trimmed: 4 });
  });

  it("hands on everything pushed before a frame as one batch, and caps what waits", () => {
    const frames: (() => void)[] = [];
    const flushed: number[][] = [];
    const batcher = new FrameBatcher<number>(
      (b) => flushed.push(b),
      (run) => frames.push(run),
      5,
    );
    batcher.push([1, 2]);
    batcher.push([3]);
    expect(frames).toHaveLength(1);
    frames.shift()?.();
    expect(flushed).toEqual([[1, 2, 3]]);
    batcher.push([4, 5, 6, 7, 8, 9, 10]);
    frames.shift()?.();
    expect(flushed[1]).toEqual([6, 7, 8, 9, 10]);
    expect(batcher.dropped).toBe(2);
  });

  it("matches pushed records as the search would: level and above, server, session, every term", () => {
    expect(queryTerms('ENOENT "no such" todo*')).toEqual(["enoent", "no such", "todo"]);
    const r = record({
      level: "error",
      message: "Error: ENOENT: no such file",
      fields: { path: "/todo.md" },
    });
    const all = { text: "", level: "" as const, server: "", session: "" };
    expect(matchesFilter(r, all)).toBe(true);
    expect(matchesFilter(r, { ...all, level: "warning" })).toBe(true);
    expect(matchesFilter(r, { ...all, level: "critical" })).toBe(false);
    expect(matchesFilter(r, { ...all, server: "github" })).toBe(false);
    expect(matchesFilter(r, { ...all, session: "s2" })).toBe(false);
    expect(matchesFilter(r, { ...all, text: 'enoent "no such" todo*' })).toBe(true);
    expect(matchesFilter(r, { ...all, text: "enoent missing" })).toBe(false);
  });
});
