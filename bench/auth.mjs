// The cost of authentication and rate limiting on the hot path: `payment(id)` reads per second with
// each kind of credential (a secret API key, an OAuth access token (JWT), a merchant user's
// session), with the per-credential rate limiter off and on (a limit of 10⁹: every request counted
// in Redis, none refused). Phases alternate (limiter off, on, off, on; every credential in each) so
// drift on a shared box falls on every side.
//
//   npm run build && npm run bench:auth -- [--duration 10] [--connections 50] [--rounds 2]
//
// Prints one line per phase and a summary table; writes bench/results/auth-latest.json.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { randomBytes } from "node:crypto";
import { cannon } from "./lib/cannon.mjs";
import { post } from "./lib/gql.mjs";
import { machine } from "./lib/machine.mjs";
import { provenance, provenanceLine } from "./lib/provenance.mjs";
import { machineLine } from "./lib/report.mjs";
import { Stack } from "./lib/stack.mjs";
import { round } from "./lib/stats.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const RESULTS = path.join(ROOT, "bench", "results");
const { values: flags } = parseArgs({
  options: {
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "50" },
    rounds: { type: "string", default: "2" },
    payments: { type: "string", default: "200" },
  },
});
const durationS = Number(flags.duration);
const connections = Number(flags.connections);
const rounds = Number(flags.rounds);
const log = (line) => process.stderr.write(`[bench:auth ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

const READ = "query Read($id: ID!) { payment(id: $id) { id status amount { amount currency } } }";

/** Every credential kind, made through the real API: name → bearer credential. */
async function credentials(stack, graphqlUrl) {
  const base = graphqlUrl.replace(/\/graphql$/, "");
  const made = { "API key": stack.secretKey };
  // OAuth 2.0 client credentials → a JWT access token (RFC 9068).
  const client = await post(graphqlUrl, stack.secretKey, `mutation { createOAuthClient(input: { name: "bench-${randomBytes(3).toString("hex")}", scopes: ["payments:read"] }) { client { id } clientSecret } }`, {});
  const clientId = client.createOAuthClient.client.id;
  const token = await fetch(`${base}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(client.createOAuthClient.clientSecret)}`).toString("base64")}` },
    body: "grant_type=client_credentials",
  }).then((r) => r.json());
  if (!token.access_token) throw new Error(`no access token: ${JSON.stringify(token)}`);
  made["OAuth JWT"] = token.access_token;
  // The bench merchant's OWNER user, signed in: a session token.
  const signedIn = await post(graphqlUrl, "", "mutation($e: String!, $p: String!) { signIn(input: { email: $e, password: $p }) { token } }", { e: stack.owner.email, p: stack.owner.password });
  made["user session"] = signedIn.signIn.token;
  return made;
}

async function main() {
  mkdirSync(RESULTS, { recursive: true });
  const runId = randomBytes(4).toString("hex");
  // Tokens must outlive the run; the limiter starts off.
  const stack = new Stack({ root: ROOT, runId, snapshot: true, env: { RATE_LIMIT_PER_SECOND: "0", OAUTH_TOKEN_TTL_SECONDS: "86400", USER_SESSION_TTL_SECONDS: "86400" } });
  const result = { runId, machine: await machine(), options: { durationS, connections, rounds } };
  result.code = provenance(ROOT);
  log(machineLine(result.machine));
  log(provenanceLine(result.code));
  process.once("SIGINT", () => void stack.stop().finally(() => process.exit(130)));
  try {
    await stack.start();
    const ids = [];
    for (let i = 0; i < Number(flags.payments); i++) {
      const made = await post(stack.httpUrl, stack.secretKey, 'mutation { createPayment(input: { amount: "12.50", currency: "USD" }) { payment { id } } }', {});
      ids.push(made.createPayment.payment.id);
    }
    const creds = await credentials(stack, stack.httpUrl);
    log(`credentials: ${Object.keys(creds).join(", ")}; ${ids.length} payments to read`);
    const reads = (credential, seconds) => cannon({
      url: stack.httpUrl,
      connections,
      durationS: seconds,
      headers: { authorization: `Bearer ${credential}` },
      body: () => JSON.stringify({ query: READ, variables: { id: ids[Math.floor(Math.random() * ids.length)] } }),
      ok: (json) => json.data.payment?.id !== undefined,
    });
    result.phases = [];
    // Every credential must read before anything is measured.
    for (const [name, credential] of Object.entries(creds)) await post(stack.httpUrl, credential, READ, { id: ids[0] }).catch((err) => { throw new Error(`${name} cannot read: ${err.message}`); });
    for (let round_ = 0; round_ < rounds; round_++) {
      for (const limiter of round_ % 2 === 0 ? ["off", "on"] : ["on", "off"]) { // which goes first alternates too
        stack.env.RATE_LIMIT_PER_SECOND = limiter === "on" ? "1000000000" : "0";
        await stack.stopRoles();
        await stack.startRoles();
        // The OAuth issuer is the api's URL (no PUBLIC_URL here), which a restart on port 0 changes: new tokens.
        Object.assign(creds, await credentials(stack, stack.httpUrl));
        const order = Object.entries(creds);
        for (const [name, credential] of [...order.slice(round_ % order.length), ...order.slice(0, round_ % order.length)]) { // a different one first each round
          await reads(credential, 2); // warm-up: JIT, caches, pools
          const r = await reads(credential, durationS);
          log(`  ${name}, limiter ${limiter}: ${r.reqPerS} reads/s, p50/p99 ${r.p50}/${r.p99} ms, non-2xx ${r.non2xx}, with errors ${r.graphqlErrors}${r.firstBadBody ? `; first bad body: ${r.firstBadBody}` : ""}`);
          result.phases.push({ credential: name, limiter, ...r });
        }
      }
    }
  } finally {
    log("tearing down");
    await stack.stop().catch((err) => log(`teardown: ${err.message}`));
  }
  return result;
}

function summary(result) {
  const mean = (rs) => rs.reduce((n, r) => n + r.reqPerS, 0) / rs.length;
  const cell = (credential, limiter) => result.phases.filter((p) => p.credential === credential && p.limiter === limiter);
  const baseline = mean(cell("API key", "off"));
  const lines = ["| credential | limiter | reads/s (each run) | mean | vs API key, limiter off | p99 ms (mean) | errors |", "|---|---|---|---|---|---|---|"];
  for (const credential of [...new Set(result.phases.map((p) => p.credential))]) {
    for (const limiter of ["off", "on"]) {
      const runs = cell(credential, limiter);
      const m = mean(runs);
      const errors = runs.reduce((n, r) => n + r.non2xx + r.graphqlErrors, 0);
      lines.push(`| ${credential} | ${limiter} | ${runs.map((r) => r.reqPerS).join(", ")} | ${round(m)} | ${round((m / baseline - 1) * 100)} % | ${round(runs.reduce((n, r) => n + r.p99, 0) / runs.length)} | ${errors} |`);
    }
  }
  return lines.join("\n");
}

main().then((result) => {
  console.log(`${machineLine(result.machine)}\n${provenanceLine(result.code)}\n\n${summary(result)}`);
  writeFileSync(path.join(RESULTS, "auth-latest.json"), `${JSON.stringify(result, null, 2)}\n`);
  process.exit(0);
}, (err) => {
  log(`failed: ${err.stack ?? err}`);
  process.exit(1);
});
