/**
 * PDF table columns: every column keeps room for its own whole words, also beside a very long one; a
 * table whose figures alone are wider than the page is set in smaller type rather than break them.
 */
import PDFDocument from "pdfkit";
import { describe, expect, it } from "vitest";
import { columnWidths, tableLayout } from "../../electron/monitor/reports/render/pdf-columns.js";

const SIZE = 7;
const PAGE = 515; // A4 less the margins

describe("PDF column widths", () => {
  const doc = new PDFDocument({ size: "A4" });
  const word = (text: string, bold = false) =>
    doc
      .font(bold ? "Helvetica-Bold" : "Helvetica")
      .fontSize(SIZE)
      .widthOfString(text);
  const columns = [
    { name: "Time", unit: "time" as const },
    { name: "Server", unit: "text" as const },
    { name: "Tool", unit: "text" as const },
    { name: "Example", unit: "text" as const },
  ];

  it("gives each column at least its widest word, a long URL in another column notwithstanding", () => {
    const url = `https://example.com/${"segment/".repeat(15)}file.json`;
    const rows = [
      ["2026-12-06 15:57:51Z", "everything", "trigger-long-running-operation", `failed at ${url}`],
    ];
    const widths = columnWidths(doc, SIZE, columns, rows, PAGE);
    expect(widths.reduce((a, b) => a + b, 0)).toBeCloseTo(PAGE, 5);
    expect(widths[0]).toBeGreaterThanOrEqual(word("2026-12-06 15:57:51Z"));
    expect(widths[1]).toBeGreaterThanOrEqual(word("everything"));
    expect(widths[2]).toBeGreaterThanOrEqual(word("trigger-long-running-operation"));
    // The URL alone is wider than the page allows a column: it wraps inside itself.
    expect(word(url)).toBeGreaterThan(widths[3] ?? 0);
  });

  it("shares the spare width by what each column's text wants", () => {
    const rows = [["2026-12-06 15:57:51Z", "a", "b", "a sentence of some length that wants room"]];
    const widths = columnWidths(doc, SIZE, columns, rows, PAGE);
    expect(widths[3]).toBeGreaterThan(widths[1] ?? 0);
    expect(widths[1]).toBeGreaterThanOrEqual(word("Server", true));
  });

  it("sets a table too wide for its figures in smaller type, each figure whole", () => {
    const many = Array.from({ length: 20 }, (_, i) => ({ name: `p${i}`, unit: "ms" as const }));
    const rows = [many.map(() => "944.05 ms")];
    const { size, widths } = tableLayout(doc, many, rows, PAGE);
    expect(size).toBeLessThan(5.5);
    expect(widths.reduce((a, b) => a + b, 0)).toBeCloseTo(PAGE, 5);
    const figure = doc.font("Helvetica").fontSize(size).widthOfString("944.05 ms");
    for (const w of widths) expect(w - 4).toBeGreaterThanOrEqual(figure);
  });
});
