// The load generator's clients: GraphQL over HTTP on a keep-alive agent (node:http, cheaper on CPU
// than fetch, which matters when the client shares two cores with the server), and one graphql-ws
// connection per virtual client.
import http from "node:http";
import { createClient } from "graphql-ws";
import WebSocket from "ws";

export class GqlError extends Error {
  constructor(kind, message) {
    super(message);
    this.kind = kind; // http, graphql:<CODE>, timeout, ws, status:<STATUS>, network
  }
}

const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

/** POSTs one operation; resolves with `data`, rejects with a GqlError for non-200, errors or timeout. */
export function post(url, key, query, variables, timeoutMs = 10_000) {
  const body = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: "POST",
      agent,
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), authorization: `Bearer ${key}` },
    }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        let json;
        try {
          json = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        } catch {
          return reject(new GqlError("http", `HTTP ${res.statusCode}, body is not JSON`));
        }
        if (json.errors?.length) {
          const e = json.errors[0];
          return reject(new GqlError(`graphql:${e.extensions?.code ?? "?"}`, e.message));
        }
        if (res.statusCode !== 200) return reject(new GqlError("http", `HTTP ${res.statusCode}`));
        resolve(json.data);
      });
      res.on("error", (err) => reject(new GqlError("network", err.message)));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new GqlError("timeout", `no answer in ${timeoutMs} ms`)));
    req.on("error", (err) => reject(err instanceof GqlError ? err : new GqlError("network", err.message)));
    req.end(body);
  });
}

/** A graphql-ws client connected (not lazy: the connection lives as long as the virtual client). */
export async function connectWs(wsUrl, key) {
  let fail;
  const failed = new Promise((_, reject) => (fail = reject));
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: `Bearer ${key}` },
    lazy: false,
    retryAttempts: 0,
    onNonLazyError: (err) => fail(new GqlError("ws", `ws connection failed: ${err?.message ?? err?.reason ?? err}`)),
  });
  const connected = new Promise((resolve) => client.on("connected", resolve));
  await Promise.race([connected, failed]);
  return client;
}

const SUBSCRIPTION = "subscription Updates($id: ID!) { paymentUpdated(paymentId: $id) { id status version } }";

/** Subscribes to one payment and resolves when it is `want`; rejects on another final status, error or timeout. */
export function waitForStatus(ws, paymentId, want, timeoutMs, finals = ["FAILED", "CANCELED", "REQUIRES_PAYMENT_METHOD", "REQUIRES_ACTION"]) {
  return new Promise((resolve, reject) => {
    let settled = false;
    let unsubscribe = () => undefined;
    const settle = (fn, value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn(value);
      // Unsubscribe after the current callback returns: graphql-ws dislikes re-entrant disposal.
      queueMicrotask(() => unsubscribe());
    };
    const timer = setTimeout(() => settle(reject, new GqlError("timeout", `no ${want} event for ${paymentId} in ${timeoutMs} ms`)), timeoutMs);
    unsubscribe = ws.subscribe({ query: SUBSCRIPTION, variables: { id: paymentId } }, {
      next: (result) => {
        if (result.errors?.length) {
          const e = result.errors[0];
          return settle(reject, new GqlError(`graphql:${e.extensions?.code ?? "?"}`, e.message));
        }
        const status = result.data?.paymentUpdated?.status;
        if (status === want) settle(resolve, result.data.paymentUpdated);
        else if (finals.includes(status)) settle(reject, new GqlError(`status:${status}`, `payment ${paymentId} ended ${status}`));
      },
      error: (err) => {
        const e = Array.isArray(err) ? err[0] : err;
        settle(reject, new GqlError(e?.extensions?.code ? `graphql:${e.extensions.code}` : "ws", e?.message ?? e?.reason ?? String(e)));
      },
      complete: () => settle(reject, new GqlError("ws", `subscription for ${paymentId} completed before ${want}`)),
    });
  });
}
