// The cost of OAuth access tokens on the hot path: `payment(id)` reads with the merchant's API key
// and with an RS256 JWT (RFC 9068) of an OAuth client of the same merchant, alternated
// key, jwt, key, jwt so that drift of a shared machine hits both alike. Limiter off in both
// (RATE_LIMIT_PER_SECOND=0), as in `npm run bench`'s reads; `--limiter` turns it on (10⁹/s).
//
//   npm run build && node bench/oauth.mjs [--duration 10] [--read-connections 50] [--payments 200] [--limiter]
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { randomBytes } from "node:crypto";
import { cannon } from "./lib/cannon.mjs";
import { post } from "./lib/gql.mjs";
import { Stack } from "./lib/stack.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values: flags } = parseArgs({
  options: {
    duration: { type: "string", default: "10" },
    "read-connections": { type: "string", default: "50" },
    payments: { type: "string", default: "200" },
    limiter: { type: "boolean", default: false },
  },
});
const durationS = Number(flags.duration);
const connections = Number(flags["read-connections"]);
const log = (line) => console.log(`[oauth-bench] ${line}`);

const stack = new Stack({ root: ROOT, runId: randomBytes(4).toString("hex"), env: { RATE_LIMIT_PER_SECOND: flags.limiter ? "1000000000" : "0" } });
try {
  await stack.start();
  const url = stack.httpUrl;
  const ids = [];
  for (let i = 0; i < Number(flags.payments); i++) {
    ids.push((await post(url, stack.secretKey, `mutation { createPayment(input: { amount: "12.50", currency: "USD" }) { payment { id } } }`)).createPayment.payment.id);
  }
  const made = (await post(url, stack.secretKey, `mutation { createOAuthClient(input: { name: "bench", scopes: ["payments:read"] }) { client { id } clientSecret } }`)).createOAuthClient;
  const base = url.replace(/\/graphql$/, "");
  const tokenResponse = await fetch(`${base}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${Buffer.from(`${made.client.id}:${made.clientSecret}`).toString("base64")}` },
    body: "grant_type=client_credentials",
  });
  const { access_token: jwt } = await tokenResponse.json();
  if (!jwt) throw new Error(`no token: HTTP ${tokenResponse.status}`);

  const query = "query Read($id: ID!) { payment(id: $id) { id status amount { amount currency } } }";
  const reads = (credential, durationS) => cannon({
    url, connections, durationS,
    headers: { authorization: `Bearer ${credential}` },
    body: () => JSON.stringify({ query, variables: { id: ids[Math.floor(Math.random() * ids.length)] } }),
    ok: (json) => json.data.payment?.id !== undefined,
  });
  const results = { key: [], jwt: [] };
  for (const round of [1, 2]) {
    for (const [name, credential] of [["key", stack.secretKey], ["jwt", jwt]]) {
      await reads(credential, 2); // warm-up
      const r = await reads(credential, durationS);
      results[name].push(r);
      log(`round ${round} ${name}: ${r.reqPerS} reads/s, p50/p99 ${r.p50}/${r.p99} ms, non-2xx ${r.non2xx}, with errors ${r.graphqlErrors}`);
    }
  }
  const mean = (rs) => rs.reduce((a, r) => a + r.reqPerS, 0) / rs.length;
  const key = mean(results.key);
  const token = mean(results.jwt);
  log(`limiter ${flags.limiter ? "on" : "off"}: API key ${key.toFixed(0)} reads/s, JWT ${token.toFixed(0)} reads/s: JWT costs ${(((key - token) / key) * 100).toFixed(1)} % of read throughput`);
} finally {
  await stack.stop();
}
