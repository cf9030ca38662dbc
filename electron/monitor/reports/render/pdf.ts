/**
 * PDF under plain Node (pdfkit), so the CLI, `serve` and the app write the same file: A4 or Letter, a
 * header with the period and the generation time on every page, page numbers, selectable text, and the
 * same SVG charts as the HTML drawn as vectors (svg-to-pdfkit). Tables are laid out by pdf-columns.ts.
 */
import type { Report } from "../../../../shared/report.js";
import { formatRow, reportTables, type Table } from "../../../../shared/report-tables.js";
import { reportSentences } from "../../../../shared/report-words.js";
import { reportCharts } from "./charts.js";
import { tableLayout } from "./pdf-columns.js";
import { generatedLine, periodLine, scopeLine } from "./text.js";

const MARGIN = 40;
const HEADER = 28;
const MUTED = "#606770";
const LINE = "#d0d4da";

export async function renderPdf(r: Report, paper: "a4" | "letter" = "a4"): Promise<Buffer> {
  // Loaded on first use: most commands never write a PDF.
  const { default: PDFDocument } = await import("pdfkit");
  const { default: SVGtoPDF } = await import("svg-to-pdfkit");
  const doc = new PDFDocument({
    size: paper === "letter" ? "LETTER" : "A4",
    margins: { top: MARGIN + HEADER, bottom: MARGIN + 10, left: MARGIN, right: MARGIN },
    bufferPages: true,
    info: {
      Title: `mcpscope report ${r.since} to ${r.until}`,
      Creator: "mcpscope",
      CreationDate: new Date(r.generatedAt),
    },
  });
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });
  const width = doc.page.width - 2 * MARGIN;
  const bottom = () => doc.page.height - doc.page.margins.bottom;
  const ensure = (h: number) => {
    if (doc.y + h > bottom()) doc.addPage();
  };

  const heading = (text: string, size = 13) => {
    ensure(size * 3);
    doc
      .moveDown(0.6)
      .font("Helvetica-Bold")
      .fontSize(size)
      .fillColor("black")
      .text(text, MARGIN, doc.y, { width });
    doc.moveDown(0.3);
  };
  const paragraph = (text: string, color = "black") => {
    doc.font("Helvetica").fontSize(9).fillColor(color).text(text, MARGIN, doc.y, { width });
    doc.moveDown(0.3);
  };

  const table = (t: Table, level = 13) => {
    heading(t.title, level);
    if (t.rows.length === 0) return paragraph(t.empty, MUTED);
    const texts = t.rows.map((row, i) => formatRow(t, row, i));
    const { size, widths } = tableLayout(doc, t.columns, texts, width);
    const header = t.columns.map((c) => c.name);
    const heightOf = (cells: string[], bold: boolean) => {
      doc.font(bold ? "Helvetica-Bold" : "Helvetica").fontSize(size);
      return Math.max(...cells.map((c, i) => doc.heightOfString(c, { width: (widths[i] ?? 20) - 4 }))) + 4;
    };
    const rowOf = (cells: string[], bold: boolean) => {
      const measure = () => heightOf(cells, bold);
      let h = measure();
      if (doc.y + h > bottom()) {
        doc.addPage();
        // A table continued on a new page repeats its header row, so its columns can still be read.
        if (!bold) {
          rowOf(header, true);
          h = measure();
        }
      }
      const y = doc.y;
      let x = MARGIN;
      cells.forEach((c, i) => {
        const unit = t.columns[i]?.unit ?? "text";
        const right = unit !== "text" && unit !== "time";
        doc
          .fillColor(bold ? MUTED : "black")
          .text(c, x + 2, y + 2, { width: (widths[i] ?? 20) - 4, align: right ? "right" : "left" });
        x += widths[i] ?? 20;
      });
      doc
        .moveTo(MARGIN, y + h)
        .lineTo(MARGIN + width, y + h)
        .lineWidth(0.5)
        .strokeColor(LINE)
        .stroke();
      doc.x = MARGIN;
      doc.y = y + h;
    };
    // The header never ends a page alone: it goes with the first row, each as tall as it wraps.
    ensure(heightOf(header, true) + heightOf(texts[0] ?? [], false));
    rowOf(header, true);
    for (const row of texts) rowOf(row, false);
  };

  const t = reportTables(r);
  doc.font("Helvetica-Bold").fontSize(18).text("mcpscope report", MARGIN, doc.y);
  paragraph(`${periodLine(r)}\n${scopeLine(r)}\n${generatedLine(r)}`, MUTED);
  table(t.summary);
  for (const chart of reportCharts(r, 720, 180)) {
    const h = (width * 180) / 720;
    ensure(h + 20);
    // Without its own width and height the SVG fills the box given here, scaled by its viewBox.
    const svg = chart.svg.replace(/^<svg width="\d+" height="\d+"/, "<svg");
    SVGtoPDF(doc, svg, MARGIN, doc.y, { width, height: h, assumePt: true });
    doc.y += h + 2;
    paragraph(chart.title, MUTED);
  }
  table(t.servers);
  if (t.downtimes.rows.length) table(t.downtimes, 11);
  table(t.tools);
  if (r.slowest.length) table(t.slowest, 11);
  table(t.errors);
  const say = reportSentences(r);
  heading("Logs");
  paragraph(say.logs);
  if (r.logs.newTemplates.length) table(t.logs, 11);
  heading("Security and changes");
  paragraph(say.security);
  paragraph(say.audit);
  if (r.security.events.length) table(t.security, 11);
  heading("Alerts");
  paragraph(say.alerts);
  for (const line of say.deliveries) paragraph(`${line}.`);
  if (r.alerts.items.length) table(t.alerts, 11);
  heading("Data");
  paragraph(say.data);

  // Header and page number on every page, once the page count is known.
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const { margins } = doc.page;
    doc.page.margins = { ...margins, top: 0, bottom: 0 };
    doc.font("Helvetica").fontSize(7.5).fillColor(MUTED);
    doc.text(`mcpscope report · ${r.since} to ${r.until} · generated ${r.generatedAt}`, MARGIN, MARGIN - 4, {
      width,
      lineBreak: false,
    });
    doc.text(`Page ${i + 1} of ${range.count}`, MARGIN, doc.page.height - MARGIN, {
      width,
      align: "right",
      lineBreak: false,
    });
    doc.page.margins = margins;
  }
  doc.end();
  return done;
}
