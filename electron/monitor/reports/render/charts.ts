/**
 * Charts as inline SVG, drawn by ECharts' server-side SVG renderer (the same library and chart type as the
 * app's TimeSeriesChart), so a report needs no script to show them. Colours are fixed hex values that
 * read on a light and a dark page alike.
 */
import { BarChart, LineChart } from "echarts/charts";
import { GridComponent, LegendComponent } from "echarts/components";
import { init, use } from "echarts/core";
import { SVGRenderer } from "echarts/renderers";
import type { Report } from "../../../../shared/report.js";
import { bucketLabel } from "../../../../shared/report-tables.js";

use([LineChart, BarChart, GridComponent, LegendComponent, SVGRenderer]);

const AXIS = "#8a8f98";
const GRID = "rgba(138,143,152,0.25)";
const ACCENT = "#3b82f6";
const BAD = "#e5484d";

export interface ChartSvg {
  title: string;
  svg: string;
}

function draw(width: number, height: number, option: Record<string, unknown>): string {
  const chart = init(null as never, undefined, { renderer: "svg", ssr: true, width, height });
  try {
    chart.setOption({ animation: false, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

const timeAxis = {
  type: "time",
  axisLine: { lineStyle: { color: GRID } },
  axisLabel: { color: AXIS, fontSize: 10, hideOverlap: true },
  splitLine: { show: false },
};

const valueAxis = (name: string) => ({
  type: "value",
  min: 0,
  name,
  nameGap: 8,
  nameTextStyle: { color: AXIS, fontSize: 10, align: "right" },
  splitNumber: 3,
  axisLabel: { color: AXIS, fontSize: 10 },
  splitLine: { lineStyle: { color: GRID } },
});

const line = (name: string, color: string, data: [number, number | null][]) => ({
  name,
  type: "line",
  // Few values (or values apart, between gaps) would not show as a line: show their points, as the app does.
  showSymbol: data.filter(([, v]) => v !== null).length < 60,
  symbolSize: 4,
  connectNulls: false,
  lineStyle: { color, width: 1.5 },
  itemStyle: { color },
  areaStyle: { color, opacity: 0.08 },
  data,
});

/** Calls and errors per bucket, and p95 where the report has it. Empty when there were no calls. */
export function reportCharts(r: Report, width = 720, height = 180): ChartSvg[] {
  const b = r.series.buckets;
  if (b.every((p) => p.calls === 0)) return [];
  const t = (p: (typeof b)[number]) => Date.parse(p.time);
  const grid = { left: 52, right: 14, top: 28, bottom: 22 };
  const charts: ChartSvg[] = [
    {
      title: `Calls and errors (per ${bucketLabel(r.series.stepMs)})`,
      svg: draw(width, height, {
        grid,
        legend: { top: 0, right: 0, textStyle: { color: AXIS, fontSize: 10 }, itemHeight: 8 },
        xAxis: timeAxis,
        yAxis: valueAxis(`per ${bucketLabel(r.series.stepMs)}`),
        series: [
          line(
            "calls",
            ACCENT,
            b.map((p) => [t(p), p.calls]),
          ),
          line(
            "errors",
            BAD,
            b.map((p) => [t(p), p.errors]),
          ),
        ],
      }),
    },
  ];
  if (b.some((p) => p.p95 !== null)) {
    charts.push({
      title: "p95 latency",
      svg: draw(width, height, {
        grid,
        xAxis: timeAxis,
        yAxis: valueAxis("ms"),
        series: [
          line(
            "p95",
            ACCENT,
            b.map((p) => [t(p), p.p95]),
          ),
        ],
      }),
    });
  }
  return charts;
}
