// The merchant dashboard (web/dashboard, built by `npm run build` into dist/web/dashboard), an SPA:
//   GET /dashboard, /dashboard/*     the one page; the app reads the rest of the path itself
//   GET /dashboard/assets/:file      its hashed script and stylesheet, cached for good
// Under a strict Content-Security-Policy: nothing is fetched from elsewhere, no inline code, its
// connections (fetch and the graphql-ws socket) to this origin only — CSP Level 3's 'self' covers
// ws:/wss: of the same host, as the checkout page's socket relies on too — and it cannot be framed.
import type { FastifyInstance, FastifyReply } from "fastify";
import { BuiltWeb, notBuilt, pageHeaders } from "../web-assets.js";

export const DASHBOARD_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "img-src 'self' data:",
  "font-src 'self'", "form-action 'self'", "base-uri 'none'", "frame-ancestors 'none'",
].join("; ");

export async function registerDashboard(fastify: FastifyInstance): Promise<void> {
  const built = BuiltWeb.load("dashboard");
  const page = built?.file("index.html");
  const sendPage = async (_req: unknown, reply: FastifyReply) =>
    page ? pageHeaders(reply, DASHBOARD_CSP).header("x-frame-options", "DENY").send(page.body) : notBuilt(reply);
  fastify.get("/dashboard", sendPage);
  fastify.get("/dashboard/assets/:file", async (req, reply) => (built ? built.sendAsset(req, reply, (req.params as { file: string }).file) : notBuilt(reply)));
  fastify.get("/dashboard/*", sendPage);
}
