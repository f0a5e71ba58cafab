// The merchant dashboard's weight and speed (issue 13):
// - size: the built page (dist/web/dashboard: index.html and its hashed assets), each file raw and
//   as paygraph sends it compressed (the build's .br and .gz copies: brotli to Chromium, gzip to a
//   client without brotli), and the bytes one cold load actually moved (CDP's encodedDataLength,
//   headers included);
// - time to first live row: `--runs` cold loads of /dashboard/payments with a signed-in session
//   (a fresh browser context each), ms from navigation start until the first payment row is in
//   the DOM (a MutationObserver in the page stamps performance.now(), whose origin is navigation start);
// - live latency: ms from a createPayment call's start (in this process) until its row is in the
//   open page (the subscription's push, rendered), `--runs` times.
//
//   npm run bench:dashboard -- [--runs 5] [--rows 60]
//
// Needs `npm run build` first (it runs dist/). Starts its own stack (bench/lib/stack.mjs) and
// Debian's Chromium; writes bench/results/dashboard.json.
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";
import { post } from "./lib/gql.mjs";
import { loadAverage, machine } from "./lib/machine.mjs";
import { provenance, provenanceLine } from "./lib/provenance.mjs";
import { finishBench, machineLine } from "./lib/report.mjs";
import { Stack } from "./lib/stack.mjs";
import { round, sleep, summarize } from "./lib/stats.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const RESULTS = path.join(ROOT, "bench", "results");
const BUILT = path.join(ROOT, "dist", "web", "dashboard");
const { values: flags } = parseArgs({ options: { runs: { type: "string", default: "5" }, rows: { type: "string", default: "60" } } });
const o = { runs: Number(flags.runs), rows: Number(flags.rows) };
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
const log = (line) => process.stderr.write(`[dashboard ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const SIGN_IN = "mutation($input: SignInInput!) { signIn(input: $input) { token expiresAt user { userId merchantId name email role scopes } } }";
const CREATE = "mutation($input: CreatePaymentInput!) { createPayment(input: $input) { payment { id } } }";
const median = (values) => summarize(values).p50;

/** Each built file raw, and its compressed copies as paygraph sends them (the page itself, under 1 KiB, is sent raw). */
function builtSizes() {
  const files = ["index.html", ...readdirSync(path.join(BUILT, "assets")).filter((f) => !/\.(br|gz)$/.test(f)).map((f) => `assets/${f}`)];
  const sizeOf = (file) => (existsSync(path.join(BUILT, file)) ? readFileSync(path.join(BUILT, file)).length : undefined);
  return files.map((file) => {
    const bytes = sizeOf(file);
    return { file, bytes, brBytes: sizeOf(`${file}.br`) ?? bytes, gzipBytes: sizeOf(`${file}.gz`) ?? bytes };
  });
}

/** A stamp of performance.now() when the first payment row (or the row of `window.__waitFor`) appears. */
const STAMP_ROWS = () => {
  new MutationObserver(() => {
    const first = document.querySelector("tbody tr[data-id]");
    if (first && window.__firstRowMs === undefined) window.__firstRowMs = performance.now();
    if (window.__waitFor && window.__seenMs === undefined && document.querySelector(`tbody tr[data-id="${window.__waitFor}"]`)) window.__seenMs = performance.now();
  }).observe(document, { childList: true, subtree: true });
};

async function main() {
  const runId = `dash${Date.now().toString(36)}`;
  const result = { runId, options: o, machine: await machine(), load: { before: loadAverage() }, code: provenance(ROOT), sizes: builtSizes() };
  log(provenanceLine(result.code));
  const stack = new Stack({ root: ROOT, runId });
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
  try {
    await stack.start();
    const base = stack.httpUrl.replace(/\/graphql$/, "");
    log(`stack up at ${base}; making ${o.rows} payments`);
    for (let i = 0; i < o.rows; i++) await post(stack.httpUrl, stack.secretKey, CREATE, { input: { amount: `${10 + i}.00`, currency: "EUR", description: `bench ${i}` } });
    // signIn takes no credential (lib/gql.mjs's post always sends one).
    const signedIn = await fetch(stack.httpUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: SIGN_IN, variables: { input: stack.owner } }) });
    const session = (await signedIn.json()).data.signIn;
    const loads = [];
    const live = [];
    for (let run = 0; run < o.runs; run++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      await context.addInitScript((stored) => localStorage.setItem("paygraph:dashboard:session", stored), JSON.stringify(session));
      await context.addInitScript(STAMP_ROWS);
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send("Network.enable");
      let wire = 0;
      cdp.on("Network.loadingFinished", (e) => (wire += e.encodedDataLength));
      cdp.on("Network.webSocketFrameReceived", (e) => (wire += e.response.payloadData.length));
      await page.goto(`${base}/dashboard/payments`);
      await page.waitForFunction(() => window.__firstRowMs !== undefined);
      const firstRowMs = await page.evaluate(() => window.__firstRowMs);
      const wireAtFirstRow = wire; // the load itself, not the live part below
      // Where the time went: the page, its script, and the first GraphQL requests (the list's query among them).
      const parts = await page.evaluate(() => ({
        htmlMs: performance.getEntriesByType("navigation")[0].responseEnd,
        scriptMs: Math.max(...performance.getEntriesByType("resource").filter((e) => e.name.endsWith(".js")).map((e) => e.responseEnd)),
        queries: performance.getEntriesByType("resource").filter((e) => e.name.endsWith("/graphql")).map((e) => [Math.round(e.startTime), Math.round(e.responseEnd)]),
      }));
      await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
      // "Live" is the socket; the server takes the subscription in a moment later (the page's
      // settle fill covers that window): measure the push, not that window.
      await sleep(2000);
      // One payment made now: from the call's start here to its row in the page.
      const started = Date.now();
      const startedInPage = await page.evaluate(() => performance.now());
      const { createPayment } = await post(stack.httpUrl, stack.secretKey, CREATE, { input: { amount: "1.00", currency: "EUR", description: `live ${run}` } });
      const calledMs = Date.now() - started;
      await page.evaluate((id) => (window.__waitFor = id), createPayment.payment.id);
      await page.waitForFunction((id) => document.querySelector(`tbody tr[data-id="${id}"]`) !== null, createPayment.payment.id);
      const seenMs = (await page.evaluate(() => window.__seenMs ?? performance.now())) - startedInPage;
      loads.push({ firstRowMs: round(firstRowMs), wireBytes: wireAtFirstRow, htmlMs: round(parts.htmlMs), scriptMs: round(parts.scriptMs), queries: parts.queries });
      live.push({ createMs: calledMs, rowMs: round(seenMs) });
      log(`run ${run + 1}: first row ${round(firstRowMs)} ms (page ${round(parts.htmlMs)} ms, script ${round(parts.scriptMs)} ms, GraphQL requests [start, end] ${JSON.stringify(parts.queries)}), ${wireAtFirstRow} B on the wire by then; a new payment's row ${round(seenMs)} ms after its createPayment started (the call took ${calledMs} ms)`);
      await context.close();
    }
    result.loads = loads;
    result.live = live;
    result.summary = {
      firstRowMsMedian: round(median(loads.map((l) => l.firstRowMs))),
      liveRowMsMedian: round(median(live.map((l) => l.rowMs))),
      wireBytesMedian: median(loads.map((l) => l.wireBytes)),
    };
  } finally {
    result.load.after = loadAverage();
    await browser.close();
    await stack.stop();
  }
  return result;
}

function report(r) {
  const total = (key) => r.sizes.reduce((sum, f) => sum + f[key], 0);
  return [
    "# paygraph dashboard bench", "", machineLine(r.machine), provenanceLine(r.code),
    `options: ${r.options.runs} cold loads, ${r.options.rows} payments in the list's database; load before ${r.load.before.uptime}`, "",
    "file                                   raw B     br B   gzip B",
    ...r.sizes.map((f) => `${f.file.padEnd(36)} ${String(f.bytes).padStart(7)}  ${String(f.brBytes).padStart(7)}  ${String(f.gzipBytes).padStart(7)}`),
    `${"total".padEnd(36)} ${String(total("bytes")).padStart(7)}  ${String(total("brBytes")).padStart(7)}  ${String(total("gzipBytes")).padStart(7)}`, "",
    `one cold load on the wire until its first row (Chromium's; headers, the first page of payments and the socket's frames included), median: ${r.summary.wireBytesMedian} B`,
    `time to first payment row (navigation start → row in the DOM), median of ${r.loads.length}: ${r.summary.firstRowMsMedian} ms  (runs: ${r.loads.map((l) => l.firstRowMs).join(", ")})`,
    `a new payment live (createPayment called → its row in the open page), median: ${r.summary.liveRowMsMedian} ms  (runs: ${r.live.map((l) => l.rowMs).join(", ")})`,
  ].join("\n");
}

mkdirSync(RESULTS, { recursive: true });
finishBench(main, { file: path.join(RESULTS, "dashboard.json"), report, log });
