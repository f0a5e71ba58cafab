// The hosted checkout page (src/checkout): built by `npm run build` into dist/web/checkout, served
// by the api at /checkout/:id with hashed assets under /checkout/assets/ (no CDN, no inline code).
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/checkout/",
  logLevel: "warn",
  build: {
    outDir: fileURLToPath(new URL("../../dist/web/checkout", import.meta.url)),
    emptyOutDir: true,
    assetsDir: "assets",
    // One small script and one stylesheet; no preload polyfill (one chunk, nothing to preload).
    modulePreload: false,
    target: "es2022",
    sourcemap: false,
  },
});
