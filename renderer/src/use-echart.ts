/**
 * One ECharts chart on one element, for as long as its component is mounted: created on mount, resized
 * with its element, painted again when the light/dark theme changes (the charts' colours are CSS
 * variables), disposed on unmount. Each chart component says only how to paint.
 */
import { type EChartsType, init } from "echarts/core";
import { onBeforeUnmount, onMounted, type Ref } from "vue";
import { attachEChart, type ChartEnvironment } from "./chart-lifecycle.js";

/** A theme colour (a CSS variable of the document, e.g. `--fg-muted`). */
export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

export const browserChartEnvironment: ChartEnvironment<EChartsType, HTMLElement> = {
  init: (element) => init(element, undefined, { renderer: "canvas" }),
  observeResize(element, listener) {
    const observer = new ResizeObserver(() => listener());
    observer.observe(element);
    return () => observer.disconnect();
  },
  onSchemeChange(listener) {
    const scheme = window.matchMedia("(prefers-color-scheme: dark)");
    scheme.addEventListener("change", listener);
    return () => scheme.removeEventListener("change", listener);
  },
};

export interface EChart {
  /** The chart while mounted, else null. */
  chart(): EChartsType | null;
  /** Paints again (the data changed); nothing before mount or after unmount. */
  repaint(): void;
}

/** A chart on `host` for the component's lifetime; `paint` draws it all (on mount and on a theme change). */
export function useEChart(host: Ref<HTMLElement | null>, paint: (chart: EChartsType) => void): EChart {
  let attached: { chart: EChartsType; detach(): void } | null = null;
  onMounted(() => {
    if (host.value) attached = attachEChart(host.value, paint, browserChartEnvironment);
  });
  onBeforeUnmount(() => {
    attached?.detach();
    attached = null;
  });
  return {
    chart: () => attached?.chart ?? null,
    repaint: () => {
      if (attached) paint(attached.chart);
    },
  };
}
