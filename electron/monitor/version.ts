/** mcpscope's version, injected at build time from package.json (esbuild `define`). */
declare const __MCPSCOPE_VERSION__: string | undefined;
export const VERSION: string = typeof __MCPSCOPE_VERSION__ === "string" ? __MCPSCOPE_VERSION__ : "0.0.0-dev";
