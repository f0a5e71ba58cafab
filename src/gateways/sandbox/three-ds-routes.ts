// The sandbox's 3-D Secure over HTTP, on the gateway's port. For the requestor (paygraph):
//   POST /v1/3ds/authenticate  { transactionId, amount, currency, card: { number }, notificationUrl }
//        → the ARes: transStatus, ECI, authentication value, ids; and for C, `challenge { acsUrl, creq }`
//   GET  /v1/3ds/:transactionId → the result as it stands (the RReq): what paygraph trusts, never the
//        browser's CRes alone
// For the cardholder's browser (the ACS):
//   POST /3ds/challenge         form `creq`: the challenge page
//   POST /3ds/challenge/answer  form `acsTransId`, `code`, `action` (submit | cancel): the final
//        result, handed back by a page that posts `cres` to the notification URL
import { randomBytes } from "node:crypto";
import formbody from "@fastify/formbody";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { currencyExponent } from "../../platform/money.js";
import { challengePage, errorPage, resultPage, type Page } from "./acs-pages.js";
import { THREE_DS_VERSION, decodeMessage, encodeMessage, type Authentication, type DirectoryServer } from "./three-ds.js";
import { isIdempotencyKey } from "./wire.js";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** The ARes / RReq body: what the requestor stores on the payment. */
function authenticationJson(auth: Authentication, acsUrl: string): Obj {
  return {
    status: "authentication",
    messageVersion: THREE_DS_VERSION,
    transactionId: auth.transactionId,
    dsTransId: auth.dsTransId,
    acsTransId: auth.acsTransId,
    flow: auth.flow,
    transStatus: auth.transStatus,
    transStatusReason: auth.transStatusReason,
    eci: auth.eci,
    authenticationValue: auth.authenticationValue,
    challengeCancel: auth.challengeCancel,
    ...(auth.transStatus === "C"
      ? { challenge: { acsUrl, creq: encodeMessage({ messageType: "CReq", messageVersion: THREE_DS_VERSION, threeDSServerTransID: auth.transactionId, acsTransID: auth.acsTransId, challengeWindowSize: "05" }) } }
      : {}),
  };
}

function parseAuthenticate(body: unknown): { transactionId: string; amount: bigint; currency: string; cardNumber: string; notificationUrl: string } | string {
  if (!isObj(body)) return "body must be a JSON object";
  if (!isIdempotencyKey(body.transactionId)) return "transactionId must be 1-255 printable ASCII characters";
  if (typeof body.amount !== "string" || !/^[1-9]\d{0,17}$/.test(body.amount)) return "amount must be a positive integer string";
  if (typeof body.currency !== "string" || currencyExponent(body.currency) === undefined) return "currency must be an ISO 4217 code";
  const card = body.card;
  if (!isObj(card) || typeof card.number !== "string" || !/^\d{12,19}$/.test(card.number)) return "card.number must be 12-19 digits";
  let url: URL;
  try {
    url = new URL(String(body.notificationUrl));
  } catch {
    return "notificationUrl must be an http(s) URL";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "notificationUrl must be an http(s) URL";
  return { transactionId: body.transactionId, amount: BigInt(body.amount), currency: body.currency, cardNumber: card.number, notificationUrl: url.href };
}

const sendPage = (reply: FastifyReply, status: number, p: Page): FastifyReply =>
  reply.code(status).type("text/html; charset=utf-8").header("content-security-policy", p.csp).header("cache-control", "no-store").header("referrer-policy", "no-referrer").send(p.html);

const nonce = (): string => randomBytes(16).toString("base64");

/** The CRes the browser carries back: the requestor must still read the result server to server. */
const cresOf = (auth: Authentication): string =>
  encodeMessage({ messageType: "CRes", messageVersion: THREE_DS_VERSION, threeDSServerTransID: auth.transactionId, acsTransID: auth.acsTransId, transStatus: auth.transStatus });

export async function registerThreeDS(app: FastifyInstance, ds: DirectoryServer, pace: () => Promise<void>): Promise<void> {
  await app.register(formbody, { bodyLimit: 8192 });
  const acsUrlOf = (req: FastifyRequest): string => `${req.protocol}://${req.headers.host ?? req.hostname}/3ds/challenge`;

  app.post("/v1/3ds/authenticate", async (req, reply) => {
    const parsed = parseAuthenticate(req.body);
    await pace();
    if (typeof parsed === "string") return reply.code(400).send({ status: "error", code: "invalid_request", message: parsed });
    const auth = ds.authenticate(parsed);
    if (auth === "mismatch") return reply.code(400).send({ status: "error", code: "idempotency_mismatch", message: `Transaction ${parsed.transactionId} was already used with different parameters` });
    return authenticationJson(auth, acsUrlOf(req));
  });

  app.get("/v1/3ds/:transactionId", async (req, reply) => {
    const { transactionId } = req.params as { transactionId?: string };
    await pace();
    const auth = isIdempotencyKey(transactionId) ? ds.result(transactionId) : undefined;
    if (!auth) return reply.code(404).send({ status: "error", code: "not_found", message: "No authentication with that transaction id" });
    return authenticationJson(auth, acsUrlOf(req));
  });

  app.post("/3ds/challenge", async (req, reply) => {
    const creq = decodeMessage(isObj(req.body) ? req.body.creq : undefined);
    const auth = creq?.messageType === "CReq" && typeof creq.acsTransID === "string" ? ds.challenge(creq.acsTransID) : undefined;
    if (!auth) return sendPage(reply, 400, errorPage("This authentication request is not valid.", nonce()));
    // Already answered (a reload, the back button): hand the same result back again.
    if (auth.transStatus !== "C") return sendPage(reply, 200, resultPage(auth, cresOf(auth), nonce()));
    return sendPage(reply, 200, challengePage(auth, nonce()));
  });

  app.post("/3ds/challenge/answer", async (req, reply) => {
    const body = isObj(req.body) ? req.body : {};
    const acsTransId = typeof body.acsTransId === "string" ? body.acsTransId : "";
    const answer = body.action === "cancel" ? { cancel: true as const } : { code: typeof body.code === "string" ? body.code.trim() : "" };
    const auth = ds.answer(acsTransId, answer);
    if (!auth) return sendPage(reply, 400, errorPage("This authentication is not known.", nonce()));
    return sendPage(reply, 200, resultPage(auth, cresOf(auth), nonce()));
  });
}
