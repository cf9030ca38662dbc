/** The list views' counts: a number is a total only when every matching row is loaded. */
import { describe, expect, it } from "vitest";
import { listCountText } from "../../renderer/src/list-count.js";

const CALLS = { one: "call", many: "calls" };

describe("listCountText", () => {
  it("counts the rows when all are loaded", () => {
    expect(listCountText(1, CALLS, "all", "scroll", "narrow")).toBe("1 call");
    expect(listCountText(2500, CALLS, "all", "scroll", "narrow")).toBe(`${(2500).toLocaleString()} calls`);
  });

  it("says the rows are the newest loaded when more match", () => {
    expect(listCountText(200, CALLS, "more", "scroll for more", "narrow")).toBe(
      "200 newest calls loaded · scroll for more",
    );
  });

  it("says how to reach past the cap", () => {
    expect(listCountText(2000, CALLS, "capped", "scroll", "narrow the range")).toBe(
      `newest ${(2000).toLocaleString()} calls loaded · narrow the range`,
    );
  });
});
