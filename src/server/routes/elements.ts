// paygraph.js and its card form (web/elements, built by `npm run build`):
//   GET /v1/paygraph.js              the script a merchant's page loads (window.Paygraph)
//   GET /elements/card?key=pk_…&origin=https://shop.example[&locale=ar]
//                                    the card form, framed by the merchant's page. Only an origin the
//                                    publishable key allows may frame it (frame-ancestors names that
//                                    origin alone); for any other, or a key that is not a live
//                                    publishable one, the answer is 403 and may not be framed at all.
//   GET /elements/assets/:file       its hashed script and stylesheet
// The form tokenizes with POST /v1/tokens on this origin (connect-src 'self'): the card number
// stays in the frame.
import type { FastifyInstance } from "fastify";
import type { App } from "../../app/app.js";
import { publishableKeyOrigins } from "../../merchants/api-keys.js";
import { BuiltWeb, notBuilt, pageHeaders } from "../web-assets.js";

const formCsp = (ancestor: string): string => [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "img-src 'self' data:",
  "form-action 'none'", "base-uri 'none'", `frame-ancestors ${ancestor}`,
].join("; ");

export async function registerElementsRoutes(fastify: FastifyInstance, app: App): Promise<void> {
  const built = BuiltWeb.load("elements");
  const form = built?.file("card.html");
  const sdk = built?.file("paygraph.js");

  fastify.get("/v1/paygraph.js", async (_req, reply) => {
    if (!sdk) return notBuilt(reply);
    // Not hashed (merchants write its URL by hand): cached briefly, so a release reaches pages soon.
    return reply.type(sdk.type).header("cache-control", "public, max-age=300").header("x-content-type-options", "nosniff").send(sdk.body);
  });

  fastify.get("/elements/card", async (req, reply) => {
    if (!form) return notBuilt(reply);
    const { key, origin } = req.query as { key?: unknown; origin?: unknown };
    const allowed = typeof key === "string" && key.length <= 100 ? await publishableKeyOrigins(app.db, key) : undefined;
    if (!allowed || typeof origin !== "string" || !allowed.allowedOrigins.includes(origin)) {
      const why = !allowed ? "This card form needs a live publishable key (pk_…)." : "This page's origin is not one of the publishable key's allowed origins (createApiKey allowedOrigins).";
      return pageHeaders(reply, formCsp("'none'")).code(403).send(`<!doctype html><meta charset="utf-8"><title>Not allowed</title><p>${why}</p>`);
    }
    return pageHeaders(reply, formCsp(origin)).send(form.body);
  });

  fastify.get("/elements/assets/:file", async (req, reply) => (built ? built.sendAsset(req, reply, (req.params as { file: string }).file) : notBuilt(reply)));
}
