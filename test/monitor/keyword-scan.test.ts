import { describe, expect, it } from "vitest";
import { ANY_OTHER, KeywordScanner } from "../../electron/monitor/pipeline/keyword-scan.js";

describe("keyword scan", () => {
  it("finds every keyword present, overlapping and nested ones included, in any case", () => {
    const scanner = new KeywordScanner(["ghp_", "gh", "hp_x", "xoxb", "sk-", "ey"]);
    expect([...scanner.scan("token GHP_Xyz here")].sort()).toEqual(["gh", "ghp_", "hp_x"]);
    expect([...scanner.scan("a xoxB-1 and sk- then hey")].sort()).toEqual(["ey", "sk-", "xoxb"]);
    expect(scanner.scan("nothing to see, ünïcödé").size).toBe(0);
  });

  it("reads ANY_OTHER as any character no keyword holds, non-ASCII ones included", () => {
    const scanner = new KeywordScanner([`${ANY_OTHER}s.`, "-s.", "ab"]);
    const found = (text: string) => [...scanner.scan(text)].map((k) => k.replace(ANY_OTHER, "*"));
    for (const text of [" s.x", "(s.x", "és.x", "→S.x", "😀s.", "zs."])
      expect(found(text), text).toEqual(["*s."]);
    // Not after a character a keyword holds (`-`, `a`, `b`, `s`, `.`), nor at the start.
    for (const text of ["-s.", "as.", "bs.", "ss.", "..s.", "s.x"])
      expect(
        found(text).filter((k) => k === "*s."),
        text,
      ).toEqual([]);
    expect(found("x-s.")).toEqual(["-s."]);
  });

  it("agrees with a plain substring search on arbitrary text", () => {
    const keywords = ["ab", "abc", "bca", "cab", "a-b", "c.d", "zz"];
    const scanner = new KeywordScanner(keywords);
    let seed = 7;
    const letters = "abcdz.-";
    for (let n = 0; n < 200; n++) {
      let text = "";
      for (let i = 0; i < 12; i++) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        text += letters[seed % letters.length];
      }
      const expected = keywords.filter((k) => text.includes(k)).sort();
      expect([...scanner.scan(text)].sort(), text).toEqual(expected);
    }
  });
});
