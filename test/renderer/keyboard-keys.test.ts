import { describe, expect, it } from "vitest";
import { listKeyTarget, tabKeyTarget } from "../../renderer/src/list-keys.js";

describe("listKeyTarget", () => {
  it("moves one row with the arrows and j/k, staying inside the list", () => {
    expect(listKeyTarget("ArrowDown", 3, 10, 5)).toBe(4);
    expect(listKeyTarget("j", 3, 10, 5)).toBe(4);
    expect(listKeyTarget("ArrowUp", 3, 10, 5)).toBe(2);
    expect(listKeyTarget("k", 0, 10, 5)).toBe(0);
    expect(listKeyTarget("ArrowDown", 9, 10, 5)).toBe(9);
  });

  it("moves a screenful with PageDown and PageUp, and to the ends with Home and End", () => {
    expect(listKeyTarget("PageDown", 2, 100, 12)).toBe(14);
    expect(listKeyTarget("PageDown", 95, 100, 12)).toBe(99);
    expect(listKeyTarget("PageUp", 5, 100, 12)).toBe(0);
    expect(listKeyTarget("Home", 50, 100, 12)).toBe(0);
    expect(listKeyTarget("End", 50, 100, 12)).toBe(99);
  });

  it("starts at the first row when none is active, and ignores other keys and empty lists", () => {
    expect(listKeyTarget("ArrowDown", -1, 10, 5)).toBe(0);
    expect(listKeyTarget("ArrowUp", -1, 10, 5)).toBe(0);
    expect(listKeyTarget("Enter", 3, 10, 5)).toBeNull();
    expect(listKeyTarget("a", 3, 10, 5)).toBeNull();
    expect(listKeyTarget("ArrowDown", -1, 0, 5)).toBeNull();
  });
});

describe("tabKeyTarget", () => {
  const tabs = ["firing", "history", "rules"] as const;
  it("moves with Left and Right, wrapping, and to the ends with Home and End", () => {
    expect(tabKeyTarget("ArrowRight", tabs, "firing")).toBe("history");
    expect(tabKeyTarget("ArrowRight", tabs, "rules")).toBe("firing");
    expect(tabKeyTarget("ArrowLeft", tabs, "firing")).toBe("rules");
    expect(tabKeyTarget("Home", tabs, "rules")).toBe("firing");
    expect(tabKeyTarget("End", tabs, "firing")).toBe("rules");
    expect(tabKeyTarget("ArrowDown", tabs, "firing")).toBeNull();
  });
});
