// The hosted checkout page (src/checkout, built from web/checkout by `npm run build`):
//   GET /checkout/:id             the page (the same for every session: it reads its session with
//                                 the secret in its URL's fragment)
//   GET /checkout/assets/:file    its hashed script and stylesheet, cached for good
// Under a strict Content-Security-Policy: scripts and styles from this origin only, connections to
// this origin only (its graphql-ws socket), no framing, no form posting anywhere.
import type { FastifyInstance } from "fastify";
import { BuiltWeb, notBuilt, pageHeaders } from "../web-assets.js";

export const CHECKOUT_PAGE_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "img-src 'self' data:",
  "font-src 'self'", "form-action 'none'", "base-uri 'none'", "frame-ancestors 'none'",
].join("; ");

export async function registerCheckoutPage(fastify: FastifyInstance): Promise<void> {
  const built = BuiltWeb.load("checkout");
  const page = built?.file("index.html");
  fastify.get("/checkout/:id", async (req, reply) => {
    if (!page) return notBuilt(reply);
    const { id } = req.params as { id: string };
    if (!/^cs_[0-9A-Za-z]{22}$/.test(id)) return reply.code(404).type("text/plain").send("No such checkout session");
    return pageHeaders(reply, CHECKOUT_PAGE_CSP).header("x-frame-options", "DENY").send(page.body);
  });
  fastify.get("/checkout/assets/:file", async (req, reply) => (built ? built.sendAsset(req, reply, (req.params as { file: string }).file) : notBuilt(reply)));
}
