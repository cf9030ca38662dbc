/** Every relative link in the README and docs/ reaches a file, and every #anchor a heading in it. */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { expect, it } from "vitest";
import { ROOT } from "../helpers/mcp.js";

const DOCS = [
  join(ROOT, "README.md"),
  ...readdirSync(join(ROOT, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => join(ROOT, "docs", name)),
];

/** Lines outside fenced code blocks. */
function prose(text: string): string[] {
  let fenced = false;
  return text.split("\n").filter((line) => {
    if (line.startsWith("```")) fenced = !fenced;
    return !fenced && !line.startsWith("```");
  });
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const found = new Set<string>();
  for (const line of prose(readFileSync(file, "utf8"))) {
    const heading = /^#{1,6} (.*)$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const slug = heading
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M}_\- ]/gu, "")
      .replaceAll(" ", "-");
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    found.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return found;
}

it("resolves every relative link and anchor in the README and docs/", () => {
  const broken: string[] = [];
  let checked = 0;
  for (const file of DOCS) {
    for (const line of prose(readFileSync(file, "utf8"))) {
      for (const [, target] of line.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (!target || /^[a-z]+:/.test(target)) continue;
        checked++;
        const [path, anchor] = target.split("#") as [string, string | undefined];
        const to = path === "" ? file : join(dirname(file), path);
        const where = `${relative(ROOT, file)}: ${target}`;
        if (!existsSync(to)) broken.push(`${where} (no such file)`);
        else if (anchor !== undefined && to.endsWith(".md") && !anchors(to).has(anchor))
          broken.push(`${where} (no such heading)`);
      }
    }
  }
  expect(broken).toEqual([]);
  expect(checked).toBeGreaterThan(10);
});
