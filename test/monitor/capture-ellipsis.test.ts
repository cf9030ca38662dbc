/**
 * A capture masks with a one-byte stand-in for the `…` of masked values and puts `…` back as it caps the
 * text (JSON.stringify and UTF-8 encoding of a one-byte string are several times cheaper). What it stores
 * must be exactly what the plain path stores: checked for every corpus credential at the start, just
 * before, across and just after the cut, and at the end of the masking window past it, in whole and in
 * partial payloads (the head of a longer line), beside the stand-in character itself, a real `…`, Latin-1
 * and astral characters; for random payloads that hold the stand-in where masking drops or overwrites
 * what it masked; and the bytes it hands the store are the UTF-8 of that text.
 */
import { describe, expect, it } from "vitest";
import { capturePayload, SHORT_CAPTURE_LIMIT } from "../../electron/monitor/pipeline/capture.js";
import { BUDGET_MARGIN } from "../../electron/monitor/pipeline/mask.js";
import { utf8View } from "../../electron/monitor/pipeline/utf8.js";
import { PARTIAL_PAYLOAD } from "../../electron/monitor/protocol/observations.js";
import { CORPUS } from "../fixtures/secret-corpus.js";
import { seededRandom } from "../helpers/seeded-random.js";

const LINE = "  const total = items.reduce((sum, item) => sum + item.price, 0); // a line of code\n";
const AROUND = ["", "\x85", "é 😀 …"];

function payloads(secret: string, limit: number, extra: string): unknown[] {
  const filler = LINE.repeat(Math.ceil((limit + 2 * BUDGET_MARGIN) / LINE.length));
  const out: unknown[] = [];
  for (const at of [0, limit - 120, limit - 60, limit - 8, limit + 20, limit + BUDGET_MARGIN - 40]) {
    const text = `${extra}${filler.slice(0, at)}${secret}${filler.slice(at)}`;
    out.push({ jsonrpc: "2.0", id: 1, result: { content: [{ type: "text", text }] } });
    const partial = { jsonrpc: "2.0", id: 2, result: { content: [{ type: "text", text }] } };
    Object.defineProperty(partial, PARTIAL_PAYLOAD, { value: { bytes: 10 * limit, keep: limit } });
    out.push(partial);
  }
  out.push({ [`${extra}api_key`]: secret, note: `${secret} ${extra}`, list: [secret, extra] });
  return out;
}

function expectSame(value: unknown, limit: number): void {
  const fastFound = new Set<string>();
  const plainFound = new Set<string>();
  const fast = capturePayload(value, limit, fastFound, { standIn: "always" });
  const fastBytes = fast === null ? null : Buffer.from(utf8View(fast));
  const plain = capturePayload(value, limit, plainFound, { standIn: "never" });
  expect(fast).toBe(plain);
  expect([...fastFound].sort()).toEqual([...plainFound].sort());
  // Told the message's size as it came (here the size it prints to), the capture is the same text.
  const printed = JSON.stringify(value);
  if (printed !== undefined)
    expect(capturePayload(value, limit, undefined, { bytes: Buffer.byteLength(printed) })).toBe(plain);
  if (fast !== null) expect(fastBytes?.equals(Buffer.from(fast, "utf8"))).toBe(true);
}

describe("the one-byte capture path", () => {
  it("stores what the plain path stores, for every credential around the cut and the window's end", () => {
    for (const credential of CORPUS)
      for (const extra of AROUND)
        for (const value of payloads(credential.text, SHORT_CAPTURE_LIMIT, extra)) expectSame(value, 4096);
  });

  it("does so with the cut at every byte through masked values", () => {
    const secret = CORPUS.find((c) => c.kind === "github-pat")?.text as string;
    for (const extra of AROUND) {
      const value = { a: `${extra}${"x".repeat(60)} ${secret} ${secret} é ${"y".repeat(60)}`, token: secret };
      for (let limit = 60; limit < 260; limit++) expectSame(value, limit);
    }
  });

  it("does so at the default 64 KiB cut too", () => {
    const kinds = [...new Map(CORPUS.map((c) => [c.kind, c])).values()].slice(0, 12);
    for (const credential of kinds)
      for (const value of payloads(credential.text, 64 * 1024, "\x85 é")) expectSame(value, 64 * 1024);
  });

  it("does so for a text too long for its scratch buffer (numbers are not cut by the budget)", () => {
    const secret = CORPUS.find((c) => c.kind === "github-pat")?.text as string;
    const value = { token: secret, note: secret, numbers: Array.from({ length: 300_000 }, (_, i) => i) };
    expectSame(value, 64 * 1024);
  });

  it("puts `…` back in masked values and in the cut's marker", () => {
    const secret = CORPUS.find((c) => c.kind === "github-pat")?.text as string;
    const value = { content: [{ type: "text", text: `${secret} ${LINE.repeat(2000)}` }] };
    const text = capturePayload(value, 64 * 1024) as string;
    expect(text).toMatch(/\[masked:github-pat….{4}\]/);
    expect(text).toMatch(/…\[truncated \d+ bytes\]$/);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(64 * 1024 + 40);
  });

  it("does so where a key already reads like a masked one, or a value prints through its own toJSON", () => {
    const secret = CORPUS.find((c) => c.kind === "github-pat")?.text as string;
    const echoed = JSON.parse(
      JSON.stringify({ [secret]: "first", [`[masked:github-pat…${secret.slice(-4)}]`]: 2 }),
    );
    expectSame(echoed, 4096);
    expect(capturePayload(echoed, 4096, undefined, { standIn: "always" })).toBe(
      `{"[masked:github-pat…${secret.slice(-4)}]":2}`,
    );
    const printsItself = Object.assign(() => 0, { toJSON: () => "x\x85y" });
    expectSame({ f: printsItself, token: secret }, 4096);
  });

  it("does so for random payloads holding the stand-in where masked values are dropped or overwritten", () => {
    const { random, pick } = seededRandom(85);
    const secrets = [...new Map(CORPUS.map((c) => [c.kind, c.text])).values()].slice(0, 8);
    const keys = ["api_key", "password", "token", "note", "__proto__", "credentials", "auth", "x\x85", "a"];
    const texts = ["\x85", "B\x85C", "é", "…", "😀", "plain words", "x".repeat(300), ...secrets];
    const text = (): string =>
      Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(texts)).join(
        pick([" ", "", "=", ": "]),
      );
    const value = (depth: number): unknown => {
      const roll = random();
      if (depth > 3 || roll < 0.35) return text();
      if (roll < 0.45) return Math.floor(random() * 1e6);
      if (roll < 0.6) return Array.from({ length: 1 + Math.floor(random() * 3) }, () => value(depth + 1));
      // A schema fragment, masked as one under a secret-named key.
      if (roll < 0.7)
        return {
          type: pick(["string", "object", "array"]),
          [pick(["default", "enum", "description", "items", "properties", "anyOf"])]: value(depth + 1),
        };
      const out: Record<string, unknown> = {};
      for (let i = 0; i < 1 + random() * 4; i++)
        out[pick(keys) + (random() < 0.2 ? pick(texts) : "")] = value(depth + 1);
      return out;
    };
    for (let i = 0; i < 3000; i++) {
      // Parsed from its text as the observer's values are (a __proto__ key is then an own key).
      const payload = JSON.parse(JSON.stringify({ jsonrpc: "2.0", id: i, result: value(0) }));
      const limit = pick([40, 120, 400, 2000]);
      expectSame(payload, limit);
      if (random() < 0.5) {
        Object.defineProperty(payload, PARTIAL_PAYLOAD, { value: { bytes: 10 * limit, keep: limit } });
        expectSame(payload, limit);
      }
    }
  });
});
