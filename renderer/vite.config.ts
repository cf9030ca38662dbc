// Builds the renderer into dist/renderer. `base: "./"` makes every URL relative, so the same build loads
// from file:// in Electron and from http://127.0.0.1 in browser mode. Nothing may be inlined into
// index.html: the page runs under a CSP without 'unsafe-inline'; its <meta> gets the one policy.
import { fileURLToPath } from "node:url";
import vue from "@vitejs/plugin-vue";
import { defineConfig, type Plugin } from "vite";
import { META_CONTENT_SECURITY_POLICY } from "../shared/content-security-policy.js";

const csp: Plugin = {
  name: "mcpscope-csp",
  transformIndexHtml: (html) => html.replace("%MCPSCOPE_CSP%", META_CONTENT_SECURITY_POLICY),
};

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root,
  base: "./",
  plugins: [vue(), csp],
  build: {
    outDir: fileURLToPath(new URL("../dist/renderer", import.meta.url)),
    emptyOutDir: true,
    target: "chrome130",
    // No data: URLs for assets (fonts would be blocked by font-src 'self'), no polyfill code needed.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: true,
    chunkSizeWarningLimit: 500,
  },
});
