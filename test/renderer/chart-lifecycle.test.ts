/** The chart lifecycle every ECharts component shares: paint, resize, repaint on a theme change, teardown. */
import { describe, expect, it } from "vitest";
import { attachEChart, type ChartEnvironment } from "../../renderer/src/chart-lifecycle.js";

class FakeChart {
  resized = 0;
  disposed = false;
  resize() {
    this.resized++;
  }
  dispose() {
    this.disposed = true;
  }
}

function fakeEnvironment() {
  const resizeListeners = new Set<() => void>();
  const schemeListeners = new Set<() => void>();
  const charts: FakeChart[] = [];
  const env: ChartEnvironment<FakeChart, object> = {
    init: () => {
      const chart = new FakeChart();
      charts.push(chart);
      return chart;
    },
    observeResize: (_element, listener) => {
      resizeListeners.add(listener);
      return () => resizeListeners.delete(listener);
    },
    onSchemeChange: (listener) => {
      schemeListeners.add(listener);
      return () => schemeListeners.delete(listener);
    },
  };
  return {
    env,
    charts,
    resize: () => [...resizeListeners].forEach((l) => void l()),
    switchScheme: () => [...schemeListeners].forEach((l) => void l()),
    listening: () => resizeListeners.size + schemeListeners.size,
  };
}

const element = {};

describe("attachEChart", () => {
  it("paints once on attach, follows the element's size and repaints when the theme changes", () => {
    const page = fakeEnvironment();
    const painted: FakeChart[] = [];
    const { chart } = attachEChart(element, (c) => painted.push(c), page.env);
    expect(page.charts).toEqual([chart]);
    expect(painted).toEqual([chart]);
    page.resize();
    page.resize();
    expect(chart.resized).toBe(2);
    expect(painted).toHaveLength(1);
    page.switchScheme();
    expect(painted).toEqual([chart, chart]);
  });

  it("detaching disposes the chart and stops listening to the page", () => {
    const page = fakeEnvironment();
    let paints = 0;
    const attached = attachEChart(element, () => paints++, page.env);
    expect(page.listening()).toBe(2);
    attached.detach();
    expect(attached.chart.disposed).toBe(true);
    expect(page.listening()).toBe(0);
    page.switchScheme();
    page.resize();
    expect([paints, attached.chart.resized]).toEqual([1, 0]);
  });
});
