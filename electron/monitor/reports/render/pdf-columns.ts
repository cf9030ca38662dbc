/**
 * How a PDF table is laid out across the page: its type size and its columns' widths, measured in the
 * table's fonts, so that no header word, figure with its unit (`944.05 ms`, `67.9 MiB`) or date is broken
 * over two lines. What gives way when a table has more to show than the page is wide, in this order:
 *
 * 1. the longest single words of text cells (a server named like a URL, a long path) wrap inside
 *    themselves, the longest first, down to what the page leaves them;
 * 2. then the type gets smaller, down to MIN_SIZE;
 * 3. only past that are columns squeezed below their words.
 */
import type { Table } from "../../../../shared/report-tables.js";

/** Room around a cell's text (2 pt each side) and a little slack for rounding. */
const CELL_PAD = 5;
/** A column never asks for more than this for its longest text: a longer text wraps. */
const MAX_WANT = 180;
/** The smallest type a table is set in to keep its words whole (still legible zoomed in, and printed). */
const MIN_SIZE = 4;

/** The type size a table starts from, by how many columns it has. */
function startSize(columns: number): number {
  return columns > 10 ? 5.5 : columns > 6 ? 7 : 8;
}

type Measure = (text: string, bold: boolean) => number;

function measurer(doc: PDFKit.PDFDocument, size: number): Measure {
  return (text, bold) =>
    doc
      .font(bold ? "Helvetica-Bold" : "Helvetica")
      .fontSize(size)
      .widthOfString(text);
}

const words = (text: string) => text.split(/\s+/);

/**
 * Per column, the width nothing may break (header words in bold, a figure with its unit whole, a time's
 * words) and the widest word of its text cells, which may wrap inside itself when the page is short.
 */
function wordWidths(measure: Measure, columns: Table["columns"], rows: string[][]) {
  // A word is measured with the space after it: pdfkit's line wrapper counts that space on the line, so a
  // word that fits only without it goes to the next line, split at its hyphen (`qa-` / `client`).
  const widest = (texts: string[], bold: boolean) =>
    Math.max(0, ...texts.flatMap(words).map((w) => measure(`${w} `, bold)));
  return columns.map((c, i) => {
    const cells = rows.map((row) => row[i] ?? "");
    const unit = c.unit ?? "text";
    const cellsFixed =
      unit === "text"
        ? 0
        : unit === "time"
          ? widest(cells, false)
          : Math.max(0, ...cells.map((t) => measure(t, false)));
    return {
      fixed: Math.max(widest([c.name], true), cellsFixed),
      text: unit === "text" ? Math.min(MAX_WANT - CELL_PAD, widest(cells, false)) : 0,
    };
  });
}

/** The least widths with text words capped at `cap`. */
function leastWith(parts: ReturnType<typeof wordWidths>, cap: number): number[] {
  return parts.map((p) => Math.max(p.fixed, Math.min(p.text, cap)) + CELL_PAD);
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** The least widths that fit `width`: text words capped as little as will do, or null when none does. */
function fittingLeast(parts: ReturnType<typeof wordWidths>, width: number): number[] | null {
  const uncapped = leastWith(parts, Number.POSITIVE_INFINITY);
  if (sum(uncapped) <= width) return uncapped;
  if (sum(leastWith(parts, 0)) > width) return null;
  // The cap that fills the width exactly, found by halving (the sum grows with the cap).
  let low = 0;
  let high = Math.max(...parts.map((p) => p.text));
  for (let i = 0; i < 40; i++) {
    const mid = (low + high) / 2;
    if (sum(leastWith(parts, mid)) <= width) low = mid;
    else high = mid;
  }
  return leastWith(parts, low);
}

/** The table's type size and column widths (they add up to `width`). */
export function tableLayout(
  doc: PDFKit.PDFDocument,
  columns: Table["columns"],
  rows: string[][],
  width: number,
): { size: number; widths: number[] } {
  const start = startSize(columns.length);
  // Widths grow with the type size (the padding does not), so each step down is measured anew.
  for (let size = start; size >= MIN_SIZE; size = Math.round((size - 0.25) * 100) / 100) {
    const least = fittingLeast(wordWidths(measurer(doc, size), columns, rows), width);
    if (least) return { size, widths: spread(measurer(doc, size), columns, rows, least, width) };
  }
  return { size: MIN_SIZE, widths: columnWidths(doc, MIN_SIZE, columns, rows, width) };
}

/**
 * Column widths at one type size: each column gets at least its widest single word (header in bold, cells
 * in regular; a figure with its unit counts as one word), so no word is broken mid-letter, and the page's
 * remaining width is shared in proportion to how much more each column's longest text wants. A table with
 * more words than the page can hold side by side is squeezed below that (`tableLayout` first wraps long
 * words and sets smaller type).
 */
export function columnWidths(
  doc: PDFKit.PDFDocument,
  size: number,
  columns: Table["columns"],
  rows: string[][],
  width: number,
): number[] {
  const measure = measurer(doc, size);
  const least = leastWith(wordWidths(measure, columns, rows), Number.POSITIVE_INFINITY);
  const floor = sum(least);
  if (floor >= width) return least.map((w) => (w / floor) * width);
  return spread(measure, columns, rows, least, width);
}

/** `least` (which fits) widened to `width`, the spare shared by what each column's whole text wants. */
function spread(
  measure: Measure,
  columns: Table["columns"],
  rows: string[][],
  least: number[],
  width: number,
): number[] {
  const want = columns.map((c, i) =>
    Math.max(
      least[i] ?? 0,
      Math.min(
        MAX_WANT,
        Math.max(measure(c.name, true), ...rows.map((row) => measure(row[i] ?? "", false))) + CELL_PAD,
      ),
    ),
  );
  const floor = sum(least);
  const extra = sum(want) - floor;
  // Everything fits: the spare width goes in proportion to what each column wants.
  if (sum(want) <= width) return want.map((w) => (w / sum(want)) * width);
  return least.map((w, i) => w + (((want[i] ?? w) - w) / extra) * (width - floor));
}
