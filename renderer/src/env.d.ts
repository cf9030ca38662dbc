declare module "*.vue" {
  import type { DefineComponent } from "vue";

  const component: DefineComponent<object, object, unknown>;
  export default component;
}

interface Window {
  /** The Electron preload's bridge (`invoke` and `subscribe`); absent in browser mode. */
  mcpscope?: import("../../shared/api.js").ApiTransport;
}
