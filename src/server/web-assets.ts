// The browser-facing files the build made from web/ (dist/web/<name>): read once at start and
// served from memory. Hashed assets are cached for good; pages are sent with the headers their
// route gives them (each its own Content-Security-Policy).
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyReply } from "fastify";

/** dist/web, from src/server or dist/server alike. */
const WEB = path.resolve(fileURLToPath(import.meta.url), "../../../dist/web");

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".woff2": "font/woff2",
};

export interface WebFile { body: Buffer; type: string }

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
        else files.set(rel, { body: readFileSync(path.join(dir, rel)), type: TYPES[path.extname(entry.name)] ?? "application/octet-stream" });
      }
    };
    try {
      walk("");
    } catch {
      return undefined;
    }
    return new BuiltWeb(files);
  }

  file(rel: string): WebFile | undefined {
    return this.files.get(rel);
  }

  /** A hashed asset under assets/: immutable, cached for a year. */
  sendAsset(reply: FastifyReply, file: string): FastifyReply {
    const asset = /^[\w.-]+$/.test(file) ? this.files.get(`assets/${file}`) : undefined;
    if (!asset) return reply.code(404).type("text/plain").send("Not found");
    return reply.type(asset.type).header("cache-control", "public, max-age=31536000, immutable").header("x-content-type-options", "nosniff").send(asset.body);
  }
}

/** The answer when `npm run build` has not built the web files. */
export const notBuilt = (reply: FastifyReply): FastifyReply => reply.code(503).type("text/plain").send("The web pages are not built: run `npm run build`");

/** Headers every page of paygraph's sends, beside its own Content-Security-Policy. */
export function pageHeaders(reply: FastifyReply, csp: string): FastifyReply {
  return reply.type("text/html; charset=utf-8").header("content-security-policy", csp).header("cache-control", "no-store")
    .header("referrer-policy", "no-referrer").header("x-content-type-options", "nosniff");
}
