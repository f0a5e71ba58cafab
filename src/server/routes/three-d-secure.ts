// The shopper's browser in a 3-D Secure challenge (src/payments/three-d-secure):
//   GET  /3ds/:id/challenge  the payment's nextAction.redirectUrl: a page that posts the CReq to the ACS
//   POST /3ds/complete       the notification URL the ACS sends the browser back to (form `cres`):
//                            paygraph reads the result server to server, moves the payment on, and
//                            sends the browser on to returnUrl?payment_id=… (or to /3ds/:id/result)
//                            with a page that navigates (a redirect would be bound by the ACS
//                            page's form-action)
//   GET  /3ds/:id/result     paygraph's own result page
// No credential: the id (131 random bits, nowhere else) names one authentication; the CRes names an
// attempt, and only leads to reading its result. These pages show nothing of the payment beyond
// its status and id.
import formbody from "@fastify/formbody";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { App } from "../../app/app.js";
import { NOTIFICATION_PATH, browserPath } from "../../payments/three-d-secure/authentication.js";
import { authenticationForBrowser, settleChallenge } from "../../payments/three-d-secure/challenge.js";
import { challengeHandOff, notFoundPage, resultPage, sendOnPage, type Page } from "../../payments/three-d-secure/browser-pages.js";
import { returnTarget } from "../../payments/three-d-secure/return-url.js";
import { pageHeaders } from "../web-assets.js";

const ID = /^3ds_[0-9A-Za-z]{22}$/;

/** The transaction a CRes (base64url JSON) names: paygraph's attempt id. */
function decodeCres(text: unknown): string | undefined {
  if (typeof text !== "string" || text.length > 4096) return undefined;
  try {
    const message = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as { threeDSServerTransID?: unknown };
    return typeof message.threeDSServerTransID === "string" && /^att_[0-9A-Za-z]{22}$/.test(message.threeDSServerTransID) ? message.threeDSServerTransID : undefined;
  } catch {
    return undefined;
  }
}

const send = (reply: FastifyReply, p: Page): FastifyReply => pageHeaders(reply, p.csp).code(p.status).header("x-frame-options", "DENY").send(p.html);

export async function registerThreeDSecureRoutes(fastify: FastifyInstance, app: App): Promise<void> {
  await fastify.register(async (scope) => {
    await scope.register(formbody, { bodyLimit: 16_384 });
    const idOf = (params: unknown): string | undefined => {
      const id = (params as { id?: string }).id;
      return id && ID.test(id) ? id : undefined;
    };
    /** The browser's way on once the challenge is over: the merchant's returnUrl, or paygraph's result page. */
    const sendOn = (reply: FastifyReply, id: string, payment: { id: string; returnUrl: string | null }): FastifyReply =>
      send(reply, sendOnPage(payment.returnUrl ? returnTarget(payment.returnUrl, payment.id) : browserPath(id, "result")));

    scope.get("/3ds/:id/challenge", async (req, reply) => {
      const id = idOf(req.params);
      const auth = id ? await authenticationForBrowser(app, { id }) : undefined;
      if (!id || !auth) return send(reply, notFoundPage());
      // Open and in time: to the ACS. Over (a reload, the back button): on to where the shopper goes next.
      if (auth.open && auth.acsUrl && auth.creq) return send(reply, challengeHandOff(auth.acsUrl, auth.creq));
      return sendOn(reply, auth.id, auth.payment);
    });

    scope.post(NOTIFICATION_PATH, async (req, reply) => {
      // The CRes names the transaction (paygraph's attempt); it proves nothing: the result is read
      // from the directory server.
      const cres = decodeCres((req.body as { cres?: unknown } | undefined)?.cres);
      const auth = cres ? await authenticationForBrowser(app, { attemptId: cres }) : undefined;
      if (!auth) return send(reply, notFoundPage());
      await settleChallenge(app, auth.id, { expired: false }).catch((err: unknown) => app.log.warn({ err, id: auth.id }, "3-D Secure result could not be settled now; the expiry sweep will"));
      const now = await authenticationForBrowser(app, { id: auth.id });
      return sendOn(reply, auth.id, (now ?? auth).payment);
    });

    scope.get("/3ds/:id/result", async (req, reply) => {
      const id = idOf(req.params);
      const auth = id ? await authenticationForBrowser(app, { id }) : undefined;
      return send(reply, resultPage(auth?.payment.status, auth?.payment.id));
    });
  });
}
