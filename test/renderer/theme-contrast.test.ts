/**
 * The theme's text colours against the backgrounds they are drawn on, in both schemes, read from the
 * renderer's own tokens: every pair must meet WCAG AA for text (4.5:1), so a later token change cannot make
 * the selected item, a button or a badge hard to read again.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const AA_TEXT = 4.5;
/** The strongest tint a badge, chip or mark lays under its own colour (`color-mix(… 18%, transparent)`). */
const BADGE_TINT = 0.18;

type Rgb = [number, number, number];

function tokens(): { light: Map<string, string>; dark: Map<string, string> } {
  const css = readFileSync(new URL("../../renderer/src/styles/tokens.css", import.meta.url), "utf8");
  const darkAt = css.indexOf("@media (prefers-color-scheme: dark)");
  const read = (text: string) =>
    new Map([...text.matchAll(/(--[a-z-]+):\s*(#[0-9a-f]{6});/gi)].map((m) => [m[1] ?? "", m[2] ?? ""]));
  const light = read(css.slice(0, darkAt));
  // The dark block overrides the light one; a token it leaves alone keeps its light value.
  return { light, dark: new Map([...light, ...read(css.slice(darkAt))]) };
}

const rgb = (hex: string): Rgb => [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)) as Rgb;
const channel = (c: number) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
const luminance = ([r, g, b]: Rgb) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
const tint = (colour: Rgb, under: Rgb, share: number): Rgb =>
  colour.map((c, i) => c * share + (under[i] ?? 0) * (1 - share)) as Rgb;

function contrast(a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** [text, background, where]: a background `tint:X` is X's badge tint over a raised surface. */
const PAIRS: [string, string, string][] = [
  ["--accent", "--selected", "the selected sidebar item and time-range segment"],
  ["--on-accent", "--accent", "primary buttons and the new-lines pill"],
  ["--on-status", "--bad", "danger buttons and error marks"],
  ["--on-status", "--ok", "success marks"],
  ["--on-status", "--warn", "warning marks"],
  ["--fg-muted", "--bg", "muted text on the page"],
  ["--fg-muted", "--bg-raised", "muted text in cards"],
  ["--fg-muted", "--bg-sunken", "table column headers and unselected tabs"],
  ["--fg-muted", "--bg-hover", "muted text in a hovered row"],
  ["--fg-muted", "--sidebar", "the version in the sidebar foot"],
  ["--neutral", "--bg-raised", "the info level and system category badges"],
  ["--fg-muted", "--selected", "the time column of the selected row"],
  ["--fg", "--bg-sunken", "text in wells"],
  ["--accent", "--bg-raised", "links and accent text"],
  ...["--accent", "--ok", "--warn", "--bad", "--purple", "--neutral"].map((c): [string, string, string] => [
    c,
    `tint:${c}`,
    `${c.slice(2)} badges and chips`,
  ]),
];

describe("badges", () => {
  // The pairs above take a badge's tint over the raised surface: badges must lie on it wherever they sit
  // (a hovered or selected row, a sunken well), not on the row's own background.
  it("lay their tint over --bg-raised, filled or outlined, so no row background shows through", () => {
    const css = readFileSync(new URL("../../renderer/src/styles/badges.css", import.meta.url), "utf8");
    const background = (selector: string) =>
      new RegExp(`\\${selector}\\s*\\{[^}]*?background:\\s*([^;]+);`).exec(css)?.[1]?.trim();
    expect(background(".badge")).toMatch(/var\(--c\) (\d+)%, transparent\)\), var\(--bg-raised\)$/);
    expect(Number(/var\(--c\) (\d+)%/.exec(background(".badge") ?? "")?.[1]) / 100).toBeLessThanOrEqual(
      BADGE_TINT,
    );
    expect(background(".badge-outline")).toBe("var(--bg-raised)");
  });
});

describe.each(["light", "dark"] as const)("the %s theme's text contrast", (scheme) => {
  const theme = tokens()[scheme];
  const colour = (name: string): Rgb => {
    const value = theme.get(name);
    if (!value) throw new Error(`tokens.css defines no ${name} in the ${scheme} scheme`);
    return rgb(value);
  };

  it.each(PAIRS)("%s on %s (%s) is at least 4.5:1", (text, background) => {
    const under = background.startsWith("tint:")
      ? tint(colour(background.slice(5)), colour("--bg-raised"), BADGE_TINT)
      : colour(background);
    expect(contrast(colour(text), under)).toBeGreaterThanOrEqual(AA_TEXT);
  });
});
