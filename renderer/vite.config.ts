// Builds the renderer into dist/renderer. `base: "./"` makes every URL relative, so the same build loads
// from file:// in Electron and from http://127.0.0.1 in browser mode. Nothing may be inlined into
// index.html: the page runs under a CSP without 'unsafe-inline'.
import { fileURLToPath } from "node:url";
import vue from "@vitejs/plugin-vue";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root,
  base: "./",
  plugins: [vue()],
  build: {
    outDir: fileURLToPath(new URL("../dist/renderer", import.meta.url)),
    emptyOutDir: true,
    target: "chrome130",
    // No data: URLs for assets (fonts would be blocked by font-src 'self'), no polyfill code needed.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: true,
    chunkSizeWarningLimit: 900,
  },
});
