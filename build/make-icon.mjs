// Draws the app icon (build/icon.png, 512 px, used by electron-builder) and the tray icons without any
// image library: a scope — a ring with a centre dot — on a rounded square. The tray has one icon per
// alert state: build/tray.png (all clear), tray-warning.png and tray-critical.png (the same scope with an
// amber or a red dot in its lower right corner, cut out from the ring so that it reads at 22 px). Each is
// drawn at 22 px and at 44 px as `…@2x.png`, which Electron picks for HiDPI and Retina screens, and in
// black and alpha as `…Template.png` (and `…Template@2x.png`) for the macOS menu bar, which recolours
// template images for light and dark bars: there the warning dot is a ring and the critical dot is solid.
// Rerun after changing the drawing: `node build/make-icon.mjs`.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { crc32, deflateSync } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));

/** `shade(x, y)` in unit coordinates (0..1) → [r, g, b, a]; 4×4 supersampling for smooth edges. */
function render(size, shade) {
  const rgba = Buffer.alloc(size * size * 4);
  const n = 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const acc = [0, 0, 0, 0];
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const [r, g, b, a] = shade((x + (sx + 0.5) / n) / size, (y + (sy + 0.5) / n) / size);
          acc[0] += r * a;
          acc[1] += g * a;
          acc[2] += b * a;
          acc[3] += a;
        }
      }
      const i = (y * size + x) * 4;
      const alpha = acc[3] / (n * n);
      rgba[i] = acc[3] ? Math.round(acc[0] / acc[3]) : 0;
      rgba[i + 1] = acc[3] ? Math.round(acc[1] / acc[3]) : 0;
      rgba[i + 2] = acc[3] ? Math.round(acc[2] / acc[3]) : 0;
      rgba[i + 3] = Math.round(alpha * 255);
    }
  }
  return rgba;
}

function png(size, rgba) {
  const chunk = (type, data) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(rows, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

const TEAL = [45, 212, 191];
const NIGHT = [17, 24, 39];

function insideRoundedSquare(x, y, margin, radius) {
  const cx = Math.min(Math.max(x, margin + radius), 1 - margin - radius);
  const cy = Math.min(Math.max(y, margin + radius), 1 - margin - radius);
  return Math.hypot(x - cx, y - cy) <= radius;
}

function scope(x, y, { ring, width, dot, tick }) {
  const d = Math.hypot(x - 0.5, y - 0.5);
  if (Math.abs(d - ring) <= width / 2 || d <= dot) return true;
  // Four ticks pointing in from the ring.
  const along = Math.abs(x - 0.5) <= width / 2 || Math.abs(y - 0.5) <= width / 2;
  return along && d >= ring - tick && d <= ring;
}

const appIcon = (x, y) => {
  if (!insideRoundedSquare(x, y, 0.04, 0.2)) return [0, 0, 0, 0];
  if (scope(x, y, { ring: 0.28, width: 0.06, dot: 0.06, tick: 0.12 })) return [...TEAL, 1];
  return [...NIGHT, 1];
};

const AMBER = [245, 158, 11];
const RED = [239, 68, 68];

const trayIcon = (x, y) =>
  scope(x, y, { ring: 0.36, width: 0.13, dot: 0.12, tick: 0.16 }) ? [...TEAL, 1] : [0, 0, 0, 0];

/** The tray scope with a status dot: a transparent gap around the dot separates it from the ring. */
const badged = (color) => (x, y) => {
  const d = Math.hypot(x - 0.77, y - 0.77);
  if (d <= 0.2) return [...color, 1];
  if (d <= 0.29) return [0, 0, 0, 0];
  return trayIcon(x, y);
};

/** The template variant of a tray icon: its shape in black, as macOS wants menu bar images. */
const template = (shade) => (x, y) => {
  const [, , , a] = shade(x, y);
  return [0, 0, 0, a];
};

/** Warning on the macOS bar, where colour is lost: the dot drawn as a ring. */
const hollowBadge = (x, y) => {
  const d = Math.hypot(x - 0.77, y - 0.77);
  if (d <= 0.2) return d >= 0.11 ? [0, 0, 0, 1] : [0, 0, 0, 0];
  if (d <= 0.29) return [0, 0, 0, 0];
  return template(trayIcon)(x, y);
};

const TRAY = [
  ["tray", trayIcon, template(trayIcon)],
  ["tray-warning", badged(AMBER), hollowBadge],
  ["tray-critical", badged(RED), template(badged(RED))],
];

const files = [["icon.png", 512, appIcon]];
for (const [base, shade, mono] of TRAY) {
  files.push([`${base}.png`, 22, shade], [`${base}@2x.png`, 44, shade]);
  files.push([`${base}Template.png`, 22, mono], [`${base}Template@2x.png`, 44, mono]);
}
for (const [name, size, shade] of files) {
  writeFileSync(join(here, name), png(size, render(size, shade)));
}
