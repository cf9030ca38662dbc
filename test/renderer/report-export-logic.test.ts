/**
 * The pure parts of the Reports view and the table exports: the query a period and a scope make, file
 * names the desktop app's files.save accepts, the bytes of a base64 file, CSV quoting, and text a spreadsheet would run as a formula.
 */
import { describe, expect, it } from "vitest";
import { exportFilename, fileBytes } from "../../renderer/src/file-content.js";
import { reportQuery } from "../../renderer/src/report-query.js";
import { csvField, FileContentSchema, toCsv } from "../../shared/files.js";
import { ReportQuerySchema, reportFilename } from "../../shared/report.js";

describe("the Reports view's query", () => {
  it("a preset counts back from now; a scope is one server or one client", () => {
    expect(reportQuery("7d", "", "", "")).toEqual({ since: "7d" });
    expect(reportQuery("24h", "", "", "server:files")).toEqual({ since: "24h", servers: ["files"] });
    expect(reportQuery("30d", "", "", "client:cursor")).toEqual({ since: "30d", client: "cursor" });
  });

  it("a custom window is sent as ISO times the API accepts", () => {
    const q = reportQuery("custom", "2026-12-01T00:00", "2026-12-02T12:30", "");
    expect(Date.parse(q.since ?? "")).toBe(new Date("2026-12-01T00:00").getTime());
    expect(Date.parse(q.until ?? "")).toBe(new Date("2026-12-02T12:30").getTime());
    expect(ReportQuerySchema.safeParse(q).success).toBe(true);
    expect(reportQuery("custom", "2026-12-01T00:00", "", "")).toEqual({
      since: new Date("2026-12-01T00:00").toISOString(),
      until: undefined,
    });
  });
});

describe("exported files", () => {
  it("names files as files.save accepts them", () => {
    const name = exportFilename("calls", "csv", new Date(2026, 11, 6, 14, 5));
    expect(name).toBe("mcpscope-calls-2026-12-06_14-05.csv");
    expect(
      FileContentSchema.safeParse({ filename: name, mimeType: "text/csv", encoding: "utf8", content: "" })
        .success,
    ).toBe(true);
    const report = reportFilename(
      { since: "2026-12-01T00:00:00.000Z", until: "2026-12-08T00:00:00.000Z" },
      "csv",
      "tools",
    );
    expect(report).toBe("mcpscope-report-2026-12-01_to_2026-12-07-tools.csv");
    expect(
      FileContentSchema.safeParse({ filename: report, mimeType: "text/csv", encoding: "utf8", content: "" })
        .success,
    ).toBe(true);
  });

  it("decodes base64 content to its bytes, and encodes text as UTF-8", () => {
    const pdf = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x2d, 0x00, 0xff]);
    expect([
      ...fileBytes({
        filename: "a.pdf",
        mimeType: "application/pdf",
        encoding: "base64",
        content: pdf.toString("base64"),
      }),
    ]).toEqual([...pdf]);
    expect(
      new TextDecoder().decode(
        fileBytes({ filename: "a.md", mimeType: "text/markdown", encoding: "utf8", content: "✓ ok" }),
      ),
    ).toBe("✓ ok");
  });

  it("quotes CSV fields with commas, quotes and line breaks (RFC 4180)", () => {
    expect(
      toCsv(
        ["a", "b"],
        [
          ["x,y", 'say "hi"'],
          ["line\nbreak", null],
          [1.5, true],
        ],
      ),
    ).toBe('a,b\r\n"x,y","say ""hi"""\r\n"line\nbreak",\r\n1.5,true\r\n');
  });

  it("writes text that opens as a formula with a leading ', and numbers as they are", () => {
    expect(csvField('=HYPERLINK("http://evil.example/","click")')).toBe(
      `"'=HYPERLINK(""http://evil.example/"",""click"")"`,
    );
    for (const start of ["+", "-", "@", "\t"]) expect(csvField(`${start}1+1`)).toBe(`'${start}1+1`);
    expect(csvField("\rcmd")).toBe(`"'\rcmd"`);
    expect(csvField("-5")).toBe("'-5");
    expect(csvField(-5)).toBe("-5");
    expect(csvField(-0.25)).toBe("-0.25");
    expect(csvField("a=b")).toBe("a=b");
    expect(csvField("echo")).toBe("echo");
    expect(csvField("")).toBe("");
    expect(toCsv(["target"], [["@SUM(A1)"]])).toBe("target\r\n'@SUM(A1)\r\n");
  });
});
