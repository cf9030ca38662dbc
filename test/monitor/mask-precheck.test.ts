/**
 * The pre-check that lets a small payload skip the masking copy: it may say "nothing to mask" only where
 * masking would indeed change nothing. Checked against the real masker on the credential corpus (in
 * every place a payload can hold it) and on seeded random payloads built from words near the rules'.
 */
import { describe, expect, it } from "vitest";
import { capturePayload } from "../../electron/monitor/pipeline/capture.js";
import { maskValue, mayHoldSecret } from "../../electron/monitor/pipeline/mask.js";
import { CORPUS } from "../fixtures/secret-corpus.js";
import { seededRandom } from "../helpers/seeded-random.js";

const LIMIT = 64 * 1024;

/** Where a payload can carry a text: a value, a key, a nested string, an array item, under a secret key. */
const placements = (text: string): unknown[] => [
  { name: "echo", arguments: { message: text } },
  { [text]: 1 },
  { content: [{ type: "text", text: `before ${text} after` }] },
  [1, "two", text],
  text,
];

const { random, pick } = seededRandom(0xc0ffee);

/** Ordinary words, near-misses of the rules' words, and pieces of real ones. */
const WORDS = [
  "hello",
  "echo",
  "message",
  "content",
  "type",
  "text",
  "result",
  "files",
  "id",
  "Pass_Word",
  "to-ken",
  "Se.Cret",
  "auth",
  "session",
  "design",
  "bearer",
  "Basic",
  "sk-",
  "eyJ",
  "http://",
  "user:pw@host",
  "ghp_",
  "AKIA",
  "xoxb-",
  "PRIVATE KEY",
  "progressToken",
  "apiKey",
  "\u212Aey",
  "TO\u212AEN",
  "\u0130d",
  "\n",
  '"',
  "\\",
  "é",
  "42",
  "true",
];

function randomText(): string {
  const n = 1 + Math.floor(random() * 4);
  let text = "";
  for (let i = 0; i < n; i++) text += pick(WORDS) + pick(["", " ", "=", ": ", "_", "-", "."]);
  return text;
}

function randomValue(depth: number): unknown {
  const roll = random();
  if (depth > 3 || roll < 0.35) return randomText();
  if (roll < 0.45) return Math.floor(random() * 1000);
  if (roll < 0.5) return null;
  if (roll < 0.7) return Array.from({ length: 1 + Math.floor(random() * 3) }, () => randomValue(depth + 1));
  const out: Record<string, unknown> = {};
  for (let i = 0; i < 1 + Math.floor(random() * 3); i++) out[randomText()] = randomValue(depth + 1);
  return out;
}

describe("the masking pre-check", () => {
  it("flags every corpus credential wherever a payload holds it, and the capture masks it", () => {
    for (const credential of CORPUS)
      for (const payload of placements(credential.text)) {
        expect(mayHoldSecret(JSON.stringify(payload)), credential.kind).toBe(true);
        expect(capturePayload(payload, LIMIT), credential.kind).not.toContain(credential.value);
      }
  });

  it("flags secret-named keys in any spelling a key comparison accepts", () => {
    for (const key of ["Pass_Word", "x-api.key", "TO\u212AEN", "db.session", "SIG", "client_secret"]) {
      const payload = { [key]: "Zq8vT3kLm2Xw9" };
      expect(mayHoldSecret(JSON.stringify(payload)), key).toBe(true);
      expect(capturePayload(payload, LIMIT), key).not.toContain("Zq8vT3kLm2Xw9");
    }
  });

  it("flags containers nested past the masking depth bound", () => {
    let deep: unknown = "leaf";
    for (let i = 0; i < 70; i++) deep = [deep];
    expect(mayHoldSecret(JSON.stringify(deep))).toBe(true);
    expect(capturePayload(deep, LIMIT)).toContain("[too deep]");
    // Too deep even to print whole: captured through the masking copy, which stops at its bound.
    const abyss = JSON.parse(`${"[".repeat(100_000)}${"]".repeat(100_000)}`);
    expect(capturePayload(abyss, LIMIT)).toContain("[too deep]");
  });

  it("passes ordinary small calls", () => {
    for (const payload of [
      { name: "echo", arguments: { message: "hello 123" } },
      { content: [{ type: "text", text: "hello 123" }] },
      { name: "get_weather", arguments: { city: "Paris", days: 3 } },
    ])
      expect(mayHoldSecret(JSON.stringify(payload))).toBe(false);
  });

  it("never passes a payload that masking would change (5,000 seeded random payloads)", () => {
    let passed = 0;
    for (let i = 0; i < 5000; i++) {
      const payload = randomValue(0);
      if (payload === null) continue; // captured as no payload at all
      const json = JSON.stringify(payload);
      const masked = JSON.stringify(maskValue(payload, new Set(), { left: LIMIT }));
      if (!mayHoldSecret(json)) {
        passed++;
        expect(masked, json).toBe(json);
        expect(capturePayload(payload, LIMIT)).toBe(json);
      }
    }
    // The check is not trivially "always mask": a share of the random payloads take the short way.
    expect(passed).toBeGreaterThan(100);
  });
});
