/**
 * The lifecycle of one chart on one element, apart from the page: created and painted, resized with its
 * element, painted again on a theme change, disposed. use-echart.ts runs it with the browser's parts.
 */

/** What attaching a chart needs of the page; the browser's own by default. */
export interface ChartEnvironment<C, E> {
  init(element: E): C;
  /** Calls `listener` whenever the element's size changes; returns a function that stops it. */
  observeResize(element: E, listener: () => void): () => void;
  /** Calls `listener` whenever the colour scheme changes; returns a function that stops it. */
  onSchemeChange(listener: () => void): () => void;
}

interface Chart {
  resize(): void;
  dispose(): void;
}

/** Creates the chart on `element` and paints it; the returned function tears it all down. */
export function attachEChart<C extends Chart, E>(
  element: E,
  paint: (chart: C) => void,
  env: ChartEnvironment<C, E>,
): { chart: C; detach(): void } {
  const chart = env.init(element);
  paint(chart);
  const stopResize = env.observeResize(element, () => chart.resize());
  const stopScheme = env.onSchemeChange(() => paint(chart));
  return {
    chart,
    detach() {
      stopResize();
      stopScheme();
      chart.dispose();
    },
  };
}
