// paygraph.js's card form (the iframe page, /elements/card) and paygraph.js itself (/v1/paygraph.js),
// built by `npm run build` into dist/web/elements and served by the api (src/server/routes/elements.ts).
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));
const outDir = fileURLToPath(new URL("../../dist/web/elements", import.meta.url));

// SDK=1: paygraph.js as one classic script (window.Paygraph) with a stable name; otherwise the card page.
export default defineConfig(process.env.PAYGRAPH_SDK
  ? {
      root, logLevel: "warn",
      build: { outDir, emptyOutDir: false, target: "es2020", sourcemap: false, lib: { entry: "paygraph.ts", formats: ["iife"], name: "PaygraphSdk", fileName: () => "paygraph.js" } },
    }
  : {
      root, base: "/elements/", logLevel: "warn",
      build: { outDir, emptyOutDir: true, assetsDir: "assets", modulePreload: false, target: "es2022", sourcemap: false, rollupOptions: { input: { card: fileURLToPath(new URL("card.html", import.meta.url)) } } },
    });
