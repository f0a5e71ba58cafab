// The hosted checkout page (src/checkout, built from web/checkout by `npm run build`):
//   GET /checkout/:id             the page (the same for every session: it reads its session with
//                                 the secret in its URL's fragment)
//   GET /checkout/assets/:file    its hashed script and stylesheet, cached for good
// Served from memory, read once at start, under a strict Content-Security-Policy: scripts and
// styles from this origin only, connections to this origin only (its graphql-ws socket), no
// framing, no form posting anywhere.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";

/** dist/web/checkout, from src/server/routes or dist/server/routes alike. */
const BUILT = path.resolve(fileURLToPath(import.meta.url), "../../../../dist/web/checkout");

export const CHECKOUT_PAGE_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "img-src 'self' data:",
  "font-src 'self'", "form-action 'none'", "base-uri 'none'", "frame-ancestors 'none'",
].join("; ");

const TYPES: Record<string, string> = { ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".woff2": "font/woff2" };

function readBuilt(): { page: string; assets: Map<string, { body: Buffer; type: string }> } | undefined {
  try {
    const page = readFileSync(path.join(BUILT, "index.html"), "utf8");
    const assets = new Map<string, { body: Buffer; type: string }>();
    for (const file of readdirSync(path.join(BUILT, "assets"))) {
      assets.set(file, { body: readFileSync(path.join(BUILT, "assets", file)), type: TYPES[path.extname(file)] ?? "application/octet-stream" });
    }
    return { page, assets };
  } catch {
    return undefined;
  }
}

export async function registerCheckoutPage(fastify: FastifyInstance): Promise<void> {
  const built = readBuilt();
  fastify.get("/checkout/:id", async (req, reply) => {
    if (!built) return reply.code(503).type("text/plain").send("The checkout page is not built: run `npm run build`");
    const { id } = req.params as { id: string };
    if (!/^cs_[0-9A-Za-z]{22}$/.test(id)) return reply.code(404).type("text/plain").send("No such checkout session");
    return reply.type("text/html; charset=utf-8").header("content-security-policy", CHECKOUT_PAGE_CSP).header("cache-control", "no-store")
      .header("referrer-policy", "no-referrer").header("x-frame-options", "DENY").header("x-content-type-options", "nosniff").send(built.page);
  });
  fastify.get("/checkout/assets/:file", async (req, reply) => {
    const asset = built?.assets.get((req.params as { file: string }).file);
    if (!asset) return reply.code(404).type("text/plain").send("Not found");
    return reply.type(asset.type).header("cache-control", "public, max-age=31536000, immutable").header("x-content-type-options", "nosniff").send(asset.body);
  });
}
