// The browser-facing files the build made from web/ (dist/web/<name>): read once at start and
// served from memory. Hashed assets are cached for good, and sent brotli- or gzip-compressed when
// the browser accepts it (the build made those copies: scripts/precompress.mjs); pages are sent
// with the headers their route gives them (each its own Content-Security-Policy).
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Negotiator from "negotiator";
import type { FastifyReply, FastifyRequest } from "fastify";

/** dist/web, from src/server or dist/server alike. */
const WEB = path.resolve(fileURLToPath(import.meta.url), "../../../dist/web");

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".woff2": "font/woff2",
};

/** The compressed copies the build may have made of a file, in the server's order of preference. */
const ENCODINGS = [["br", ".br"], ["gzip", ".gz"]] as const;
type Encoding = (typeof ENCODINGS)[number][0];

export interface WebFile { body: Buffer; type: string; encoded: Partial<Record<Encoding, Buffer>> }

export class BuiltWeb {
  private constructor(private readonly files: Map<string, WebFile>) {}

  /** dist/web/<name>'s files by path (`card.html`, `assets/card-x1y2.js`); undefined when not built. */
  static load(name: string): BuiltWeb | undefined {
    const dir = path.join(WEB, name);
    const files = new Map<string, WebFile>();
    const walk = (sub: string): void => {
      for (const entry of readdirSync(path.join(dir, sub), { withFileTypes: true })) {
        const rel = sub ? `${sub}/${entry.name}` : entry.name;
        if (entry.isDirectory()) walk(rel);
        else files.set(rel, { body: readFileSync(path.join(dir, rel)), type: TYPES[path.extname(entry.name)] ?? "application/octet-stream", encoded: {} });
      }
    };
    try {
      walk("");
    } catch {
      return undefined;
    }
    // x.js.br and x.js.gz are x.js's compressed copies, not files of their own.
    for (const [encoding, suffix] of ENCODINGS) {
      for (const [rel, file] of files) {
        const original = rel.endsWith(suffix) ? files.get(rel.slice(0, -suffix.length)) : undefined;
        if (!original) continue;
        original.encoded[encoding] = file.body;
        files.delete(rel);
      }
    }
    return new BuiltWeb(files);
  }

  file(rel: string): WebFile | undefined {
    return this.files.get(rel);
  }

  /** A hashed asset under assets/: immutable, cached for a year, compressed as the request accepts. */
  sendAsset(req: FastifyRequest, reply: FastifyReply, file: string): FastifyReply {
    const asset = /^[\w.-]+$/.test(file) ? this.files.get(`assets/${file}`) : undefined;
    if (!asset) return reply.code(404).type("text/plain").send("Not found");
    reply.type(asset.type).header("cache-control", "public, max-age=31536000, immutable").header("x-content-type-options", "nosniff");
    const available = ENCODINGS.map(([encoding]) => encoding).filter((encoding) => asset.encoded[encoding]);
    if (available.length === 0) return reply.send(asset.body);
    // Negotiator weighs the request's q-values; on a tie, `preferred` (br before gzip) wins over
    // the header's own order (browsers list gzip first). @types/negotiator predates that option.
    const offered = [...available, "identity"];
    const negotiator = new Negotiator(req.raw) as unknown as { encoding(available: string[], options: { preferred: string[] }): string | undefined };
    const chosen = negotiator.encoding(offered, { preferred: offered });
    reply.header("vary", "accept-encoding");
    const body = chosen && chosen !== "identity" ? asset.encoded[chosen as Encoding] : undefined;
    if (body) reply.header("content-encoding", chosen);
    return reply.send(body ?? asset.body);
  }
}

/** The answer when `npm run build` has not built the web files. */
export const notBuilt = (reply: FastifyReply): FastifyReply => reply.code(503).type("text/plain").send("The web pages are not built: run `npm run build`");

/** Headers every page of paygraph's sends, beside its own Content-Security-Policy. */
export function pageHeaders(reply: FastifyReply, csp: string): FastifyReply {
  return reply.type("text/html; charset=utf-8").header("content-security-policy", csp).header("cache-control", "no-store")
    .header("referrer-policy", "no-referrer").header("x-content-type-options", "nosniff");
}
