/**
 * The tray icons the app loads and electron-builder packs: every alert state at 22 px and at 44 px
 * (`@2x`, which Electron picks by name on HiDPI screens), and macOS's `…Template` variants, black and
 * alpha only, so that the menu bar can recolour them, each state still telling itself apart.
 */
import { readFileSync } from "node:fs";
import { join, matchesGlob } from "node:path";
import { inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { TRAY_ICON_NAMES } from "../../electron/main/paths.js";

const root = join(import.meta.dirname, "..", "..");

interface Image {
  width: number;
  height: number;
  /** RGBA, row after row. */
  pixels: Buffer;
}

/** Reads an 8-bit RGBA PNG whose rows are unfiltered, as build/make-icon.mjs writes them. */
function readPng(file: string): Image {
  const bytes = readFileSync(file);
  expect(bytes.subarray(1, 4).toString("ascii"), file).toBe("PNG");
  let width = 0;
  let height = 0;
  const data: Buffer[] = [];
  for (let at = 8; at < bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.toString("ascii", at + 4, at + 8);
    const body = bytes.subarray(at + 8, at + 8 + length);
    if (type === "IHDR") {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      expect([body[8], body[9]], `${file}: 8-bit RGBA`).toEqual([8, 6]);
    }
    if (type === "IDAT") data.push(body);
    at += 12 + length;
  }
  const rows = inflateSync(Buffer.concat(data));
  const pixels = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 4 + 1);
    expect(rows[row], `${file}: row ${y} unfiltered`).toBe(0);
    rows.copy(pixels, y * width * 4, row + 1, row + 1 + width * 4);
  }
  return { width, height, pixels };
}

const file = (name: string) => join(root, "build", name);
const states = Object.entries(TRAY_ICON_NAMES);

describe("tray icons", () => {
  it.each(states)("%s has a 22 px icon and a 44 px @2x one, in colour and as a template", (_, name) => {
    for (const variant of ["", "Template"]) {
      const one = readPng(file(`${name}${variant}.png`));
      const two = readPng(file(`${name}${variant}@2x.png`));
      expect([one.width, one.height, two.width, two.height]).toEqual([22, 22, 44, 44]);
    }
  });

  it.each(states)("%s's template is black and alpha only, with a visible shape", (_, name) => {
    for (const suffix of ["Template.png", "Template@2x.png"]) {
      const { pixels } = readPng(file(`${name}${suffix}`));
      let drawn = 0;
      for (let i = 0; i < pixels.length; i += 4) {
        expect([pixels[i], pixels[i + 1], pixels[i + 2]], `${name}${suffix} pixel ${i / 4}`).toEqual([
          0, 0, 0,
        ]);
        if ((pixels[i + 3] ?? 0) > 128) drawn++;
      }
      expect(drawn).toBeGreaterThan(pixels.length / 4 / 10);
    }
  });

  it("the three templates differ, as colour cannot tell them apart on the macOS bar", () => {
    const alphas = states.map(([, name]) => readPng(file(`${name}Template@2x.png`)).pixels.toString("hex"));
    expect(new Set(alphas).size).toBe(3);
  });

  it("electron-builder packs every variant", () => {
    const config = parse(readFileSync(join(root, "electron-builder.yml"), "utf8")) as { files: string[] };
    for (const [, name] of states)
      for (const suffix of [".png", "@2x.png", "Template.png", "Template@2x.png"]) {
        const path = `build/${name}${suffix}`;
        expect(
          config.files.some((glob) => matchesGlob(path, glob)),
          path,
        ).toBe(true);
      }
  });
});
