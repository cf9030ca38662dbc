/**
 * A database's schema version is the number of migration steps it has run, so a step once released must
 * never be edited, removed or moved: a database that ran the old step N would skip the new one, or run a
 * step a second time ("table … already exists") at every open. Each step's fingerprint is committed here;
 * a new step is added at the end of both lists. Whitespace and IF NOT EXISTS do not count: making a step
 * pass over what a database already holds changes nothing for one that ran it.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { MIGRATIONS } from "../../electron/monitor/store/migrations.js";

const RELEASED = [
  "b9f19513d8e7aea0", // 1
  "381c0a16320411e4", // 2
  "e75f08a7c1fcf788", // 3
  "e1814c91debacde2", // 4
  "c48a04a84735f994", // 5
  "7aa7fdcfa0936326", // 6
  "de01bbf2e4115026", // 7
  "6fc4c4cf9b2900f7", // 8
  "6f1a6d64ec276ac8", // 9
  "4e84a826806f90cb", // 10
  "43cd0d4f29d1cecd", // 11
  "0264746b98844f24", // 12
  "f965d2122eb40e0b", // 13
  "4be7b4e626256153", // 14
  "43cd21caca9f70fa", // 15
  "b5b77240167f0786", // 16
  "0fc87c8b6cedf86e", // 17
  "8715f23940065201", // 18
  "9329aafa507e3059", // 19
  "edec708c47e5b416", // 20
  "1b3f4e31b72ae29e", // 21
  "f0d22aa4856ae305", // 22
  "10e867fd21b80ad0", // 23
  "3fca991176036fa9", // 24
  "fcb32201fc65efcc", // 25
  "bdf2db98fc0b74b5", // 26
  "4f01b2bb48e69d31", // 27
  "0051b8db383a454d", // 28
  "6e85b55085ba6989", // 29
];

function fingerprint(sql: string): string {
  const text = sql
    .replace(/\s+IF NOT EXISTS\b/gi, "")
    .replace(/\s+/g, " ")
    .trim();
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

describe("migrations are append only", () => {
  it("every released step is still there, unchanged, in its place, and each new one is listed", () => {
    const now = MIGRATIONS.map(fingerprint);
    const changed = RELEASED.flatMap((print, i) => (now[i] === print ? [] : [i + 1]));
    expect(
      changed,
      `released migration step(s) ${changed.join(", ")} changed or moved: add a new step at the end instead`,
    ).toEqual([]);
    expect(
      now.length,
      `new migration step(s) at the end: add their fingerprints to RELEASED: ${JSON.stringify(now.slice(RELEASED.length))}`,
    ).toBe(RELEASED.length);
  });
});
