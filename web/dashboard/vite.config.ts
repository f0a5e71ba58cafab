// The merchant dashboard (an SPA): built by `npm run build` into dist/web/dashboard, served by the
// api at /dashboard and /dashboard/* with hashed assets under /dashboard/assets/ (no CDN, no inline
// code). Preact with JSX: Vite 8 transforms .tsx with Oxc, told here to import the JSX runtime
// from preact (web/tsconfig.json tells tsc the same).
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/dashboard/",
  logLevel: "warn",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  // The dashboard talks through the typed client of this repository (client/), from its sources.
  resolve: { alias: { "@paygraph/client": fileURLToPath(new URL("../../client/src/index.ts", import.meta.url)) } },
  build: {
    outDir: fileURLToPath(new URL("../../dist/web/dashboard", import.meta.url)),
    emptyOutDir: true,
    assetsDir: "assets",
    // The main script and one chunk per lazily loaded view (ui/lazy.tsx); no preload polyfill,
    // which would be inline code.
    modulePreload: false,
    target: "es2022",
    sourcemap: false,
  },
});
