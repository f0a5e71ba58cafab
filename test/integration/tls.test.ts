// `paygraph start --tls-cert --tls-key` (issue #4): HTTPS and WSS on one port with TLS 1.3 as the
// floor. The certificate is a throwaway self-signed one made by the openssl CLI at test time.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import { promisify } from "node:util";
import { print } from "graphql";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreatePaymentDocument, PaymentUpdatedDocument } from "../../client/src/generated/graphql.js";
import { createStack, ok, subscribe, type GqlResult, type Stack } from "../support/stack.js";

const MAIN = path.resolve(import.meta.dirname, "../../dist/main.js");
const run = promisify(execFile);
const dir = mkdtempSync(path.join(os.tmpdir(), "paygraph-tls-"));
const file = (name: string): string => path.join(dir, name);

/** A self-signed P-256 certificate for 127.0.0.1, valid one day. */
async function selfSigned(name: string, cn: string): Promise<void> {
  await run("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
    "-keyout", file(`${name}.key`), "-out", file(`${name}.crt`), "-subj", `/CN=${cn}`, "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
  ]);
}

let stack: Stack;
let url: string;
let key: string;
let ca: Buffer;

beforeAll(async () => {
  await Promise.all([selfSigned("server", "localhost"), selfSigned("other", "other")]);
  ca = readFileSync(file("server.crt"));
  stack = await createStack();
  url = (await stack.start(["start", "--role", "all", "--port", "0", "--tls-cert", file("server.crt"), "--tls-key", file("server.key")])).url;
  key = (await stack.merchant()).secretKey;
});
afterAll(async () => {
  await stack?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One GraphQL POST over HTTPS, trusting only the test's certificate (fetch takes no `ca`). */
function httpsGql<TData>(query: string, variables: unknown): Promise<GqlResult<TData>> {
  return new Promise((resolve, reject) => {
    const req = https.request(`${url}/graphql`, {
      method: "POST", ca, headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ ...(JSON.parse(body) as object), status: res.statusCode ?? 0, headers: new Headers() }));
    });
    req.on("error", reject);
    req.end(JSON.stringify({ query, variables }));
  });
}

/** Opens a raw TLS connection; resolves with the negotiated protocol or the handshake error. */
function handshake(options: tls.ConnectionOptions): Promise<{ protocol: string | null } | { error: NodeJS.ErrnoException }> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const socket = tls.connect({ host: "127.0.0.1", port: Number(port), ca, servername: "localhost", ...options }, () => {
      resolve({ protocol: socket.getProtocol() });
      socket.end();
    });
    socket.on("error", (error: NodeJS.ErrnoException) => resolve({ error }));
  });
}

describe("paygraph start --tls-cert --tls-key", () => {
  it("prints https:// and wss:// URLs", () => {
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(stack.roles[0]?.output.join("\n")).toContain(`subscriptions: ${url.replace(/^https/, "wss")}/graphql`);
  });

  it("answers GraphQL over HTTPS and streams a subscription over WSS", async () => {
    const created = ok(await httpsGql<{ createPayment: { payment: { id: string } } }>(print(CreatePaymentDocument), { input: { amount: "10.00", currency: "USD" } }));
    const paymentId = created.createPayment.payment.id;
    expect(paymentId).toMatch(/^pay_/);

    // graphql-ws builds its socket as `new impl(url, protocol)`: this one adds the test's CA.
    class TrustingWebSocket extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { ca });
      }
    }
    const client = createClient({ url: `${url.replace(/^https/, "wss")}/graphql`, webSocketImpl: TrustingWebSocket, connectionParams: { Authorization: `Bearer ${key}` }, retryAttempts: 0 });
    const live = subscribe(client, PaymentUpdatedDocument, { paymentId });
    const first = await live.until((e) => e.paymentUpdated.id === paymentId);
    expect(first.paymentUpdated).toMatchObject({ id: paymentId, status: "REQUIRES_PAYMENT_METHOD" });
    live.dispose();
    await client.dispose();
  });

  it("negotiates TLS 1.3 and refuses a client limited to TLS 1.2", async () => {
    expect(await handshake({})).toEqual({ protocol: "TLSv1.3" });
    const refused = await handshake({ maxVersion: "TLSv1.2" });
    expect("error" in refused && refused.error.code).toBe("ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION");
  });

  it("does not answer plain HTTP on the TLS port", async () => {
    const answer = await new Promise<string>((resolve) => {
      const req = http.request(`${url.replace(/^https/, "http")}/graphql`, { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () => resolve(`${res.statusCode} ${body}`));
      });
      req.on("error", (err: NodeJS.ErrnoException) => resolve(`error ${err.code ?? err.message}`));
      req.end(JSON.stringify({ query: "{ __typename }" }));
    });
    expect(answer).not.toContain("__typename");
    expect(answer).not.toContain('"data"');
  });

  it("refuses to start with a key that is not the certificate's, or with only one of the two, in one line", async () => {
    const fails = async (args: string[], env: Record<string, string> = {}) => {
      const err = await run(process.execPath, [MAIN, "start", "--port", "0", ...args], { env: { PATH: process.env.PATH ?? "", ...stack.env, ...env } })
        .then(() => undefined, (e: unknown) => e as { code: number; stderr: string });
      expect(err?.code).toBe(1);
      expect(err?.stderr.trim().split("\n")).toHaveLength(1);
      return err?.stderr ?? "";
    };
    expect(await fails(["--tls-cert", file("server.crt"), "--tls-key", file("other.key")])).toMatch(/cannot be used together: .*key values mismatch/);
    expect(await fails(["--tls-cert", file("missing.crt"), "--tls-key", file("server.key")])).toMatch(/cannot read the TLS certificate file .*ENOENT/);
    expect(await fails([], { TLS_KEY_FILE: file("server.key") })).toMatch(/TLS needs both a certificate and a key.*only the key/);
  });
});
