// Compresses the built web assets once, at build time (npm run build:web): each hashed script,
// stylesheet and image under dist/web/*/assets of 1 KiB or more gets a brotli (.br, quality 11)
// and a gzip (.gz, level 9) sibling. paygraph serves whichever the browser accepts
// (src/server/web-assets.ts), so a page's bytes on the wire are the compressed ones without any
// compression work per request or at every server start (the tests start hundreds of servers).
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const WEB = path.resolve(import.meta.dirname, "../dist/web");
const COMPRESSIBLE = /\.(js|css|svg)$/;

for (const app of readdirSync(WEB, { withFileTypes: true }).filter((e) => e.isDirectory())) {
  const assets = path.join(WEB, app.name, "assets");
  let files;
  try {
    files = readdirSync(assets);
  } catch {
    continue; // an app without hashed assets
  }
  for (const name of files.filter((f) => COMPRESSIBLE.test(f))) {
    const body = readFileSync(path.join(assets, name));
    if (body.length < 1024) continue;
    writeFileSync(path.join(assets, `${name}.br`), brotliCompressSync(body, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
    }));
    writeFileSync(path.join(assets, `${name}.gz`), gzipSync(body, { level: 9 }));
  }
}
