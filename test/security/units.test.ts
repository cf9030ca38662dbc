/** The line diff, the call-rate baseline, cursor walks and client capability sets. */
import { describe, expect, it } from "vitest";
import { capabilitySet } from "../../electron/monitor/security/capability-set.js";
import { lineDiff } from "../../electron/monitor/security/diff.js";
import { RateWatch } from "../../electron/monitor/security/rate.js";
import { type ToolListing, ToolListings } from "../../electron/monitor/security/tool-listing.js";

describe("lineDiff", () => {
  it("shows removed and added lines with context", () => {
    const diff = lineDiff("a\nb\nc\nd", "a\nB\nc\nd\ne");
    expect(diff.split("\n")).toEqual(["--- pinned", "+++ current", " a", "-b", "+B", " c", " d", "+e"]);
  });

  it("elides unchanged runs beyond the context", () => {
    const old = Array.from({ length: 20 }, (_, i) => `line ${i}`).join("\n");
    const diff = lineDiff(old, old.replace("line 10", "line ten"), 1).split("\n");
    expect(diff).toEqual([
      "--- pinned",
      "+++ current",
      "@@",
      " line 9",
      "-line 10",
      "+line ten",
      " line 11",
      "@@",
    ]);
  });
});

describe("RateWatch", () => {
  const start = Date.UTC(2026, 0, 1, 12, 0, 0);

  it("fires when a minute is above 60 calls and 10× the trailing average, then stays quiet for 10 minutes", () => {
    const rate = new RateWatch();
    // An hour at 2 calls a minute: a baseline of about 2/min.
    for (let m = 0; m < 60; m++) {
      expect(rate.add(start + m * 60_000)).toBeNull();
      expect(rate.add(start + m * 60_000 + 30_000)).toBeNull();
    }
    const burst = start + 61 * 60_000;
    const fired = [];
    for (let i = 0; i < 200; i++) {
      const anomaly = rate.add(burst + i * 100);
      if (anomaly) fired.push(anomaly);
    }
    expect(fired).toHaveLength(1);
    expect(fired[0]?.perMinute).toBe(61);
    // Still bursting 5 minutes later: quiet.
    for (let i = 0; i < 100; i++) expect(rate.add(burst + 5 * 60_000 + i * 100)).toBeNull();
  });

  it("does not fire at 60 calls a minute or below 10× a busy baseline", () => {
    const sixty = new RateWatch();
    for (let i = 0; i < 60; i++) expect(sixty.add(start + i * 500)).toBeNull();
    const busy = new RateWatch();
    // 30 calls a minute for an hour, then 200 in a minute: 200 < 10 × 30.
    for (let m = 0; m < 60; m++) for (let i = 0; i < 30; i++) busy.add(start + m * 60_000 + i * 1000);
    for (let i = 0; i < 200; i++) expect(busy.add(start + 61 * 60_000 + i * 200)).toBeNull();
  });
});

describe("ToolListings", () => {
  const tools = (...names: string[]) => names.map((name) => ({ name }));
  const named = (listings: ToolListing[]) =>
    listings.map((l) => [l.tools.map((t) => t.name).join(","), l.complete]);

  it("ends a walk at the page without a cursor; a walk begun again leaves the old one incomplete", () => {
    const walks = new ToolListings();
    expect(walks.page(undefined, tools("a"), "2")).toEqual([]);
    // The client starts over: the first walk, stopped at its first page, ends incomplete.
    expect(named(walks.page(undefined, tools("a"), "2"))).toEqual([["a", false]]);
    expect(walks.page("2", tools("b"), "3")).toEqual([]);
    expect(named(walks.page("3", tools("c"), undefined))).toEqual([["a,b,c", true]]);
    expect(walks.end()).toEqual([]);
  });

  it("takes a page of no walk seen from its start on its own, and walks still open at the end as incomplete", () => {
    const walks = new ToolListings();
    expect(named(walks.page("9", tools("z"), undefined))).toEqual([["z", false]]);
    walks.page(undefined, tools("a"), "p2");
    expect(named(walks.end())).toEqual([["a", false]]);
  });
});

describe("capabilitySet", () => {
  it("names each declared capability with its parts one level deep, in one order", () => {
    expect(capabilitySet({})).toBe("");
    expect(
      capabilitySet({ sampling: {}, roots: { listChanged: true }, elicitation: { url: {}, form: {} } }),
    ).toBe("elicitation.form,elicitation.url,roots.listChanged,sampling");
    expect(capabilitySet({ elicitation: {} })).not.toBe(capabilitySet({ elicitation: { url: {} } }));
  });
});
