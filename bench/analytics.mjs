// The analytics bench: 1,000,000 payments (+ attempts, refunds) of one merchant over 90 days,
// seeded with SQL through the analytics triggers and folded by the worker, then the `analytics`
// query timed through the real server (sequential requests, median and p95 of --runs), and the
// cost the triggers add to single-row writes (1000 UPDATEs with and without them).
//
//   npm run bench:analytics -- [--payments 1000000] [--days 90] [--runs 30] [--keep-db]
//
// Needs `npm run build` first (it runs a copy of dist/). Writes bench/results/analytics.json.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { seedAnalytics } from "./lib/analytics-seed.mjs";
import { dbUrl } from "./lib/db.mjs";
import { post } from "./lib/gql.mjs";
import { Stack } from "./lib/stack.mjs";
import { percentile, round, sleep } from "./lib/stats.mjs";
import { triggerCost } from "./lib/trigger-cost.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const RESULTS = path.join(ROOT, "bench", "results");
const { values: flags } = parseArgs({
  options: {
    payments: { type: "string", default: "1000000" },
    days: { type: "string", default: "90" },
    runs: { type: "string", default: "30" },
    "keep-db": { type: "boolean", default: false },
  },
});
const payments = Number(flags.payments);
const days = Number(flags.days);
const runs = Number(flags.runs);
const log = (line) => process.stderr.write(`[analytics ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

const QUERY = `query Analytics($input: AnalyticsInput!) { analytics(input: $input) { buckets { start groups {
  key { status currency gateway { id name } cardBrand } payments volume { amount currency } attemptsFinished attemptsSucceeded
  authorizationSuccessRate refunds refundVolume { amount currency } latency { samples percentiles { percentile aboveMs atMostMs } } } } } }`;
/** Same question, one figure selected: shows how much of the time is GraphQL writing a large answer. */
const SMALL = "query Analytics($input: AnalyticsInput!) { analytics(input: $input) { buckets { start groups { payments } } } }";
const ALL = ["STATUS", "CURRENCY", "GATEWAY", "CARD_BRAND"];

async function time(stack, input, query = QUERY) {
  const once = async () => {
    const t0 = performance.now();
    const data = await post(stack.httpUrl, stack.secretKey, query, { input }, 60_000);
    return { ms: performance.now() - t0, data };
  };
  for (let i = 0; i < 3; i += 1) await once(); // warm-up: JIT, plans, buffers
  const samples = [];
  let last;
  for (let i = 0; i < runs; i += 1) {
    const { ms, data } = await once();
    samples.push(ms);
    last = data;
  }
  samples.sort((a, b) => a - b);
  const groups = last.analytics.buckets.reduce((n, b) => n + b.groups.length, 0);
  const bytes = Buffer.byteLength(JSON.stringify(last));
  const paymentsSeen = last.analytics.buckets.reduce((n, b) => n + b.groups.reduce((m, g) => m + g.payments, 0), 0);
  return { medianMs: round(percentile(samples, 50)), p95Ms: round(percentile(samples, 95)), maxMs: round(samples.at(-1)), buckets: last.analytics.buckets.length, groups, payments: paymentsSeen, kb: round(bytes / 1024) };
}

async function main() {
  mkdirSync(RESULTS, { recursive: true });
  const runId = randomBytes(4).toString("hex");
  const stack = new Stack({ root: ROOT, runId, profileDir: RESULTS });
  const result = {
    machine: { nproc: os.availableParallelism(), cpu: execFileSync("lscpu").toString().match(/Model name:\s*(.+)/)?.[1], node: process.version, date: new Date().toISOString() },
    options: { payments, days, runs },
  };
  const db = new pg.Client({ connectionString: dbUrl(stack.dbName) });
  try {
    log(`starting paygraph (database ${stack.dbName})`);
    await stack.start();
    await db.connect();
    const merchantId = (await db.query("SELECT id FROM merchant LIMIT 1")).rows[0].id;
    log(`seeding ${payments} payments over ${days} days`);
    result.seed = await seedAnalytics(db, { merchantId, payments, days, log });
    const counts = async () => (await db.query("SELECT (SELECT count(*) FROM payment)::int AS payments, (SELECT count(*) FROM payment_attempt)::int AS attempts, (SELECT count(*) FROM refund)::int AS refunds, (SELECT count(*) FROM analytics_delta)::int AS deltas, (SELECT count(*) FROM analytics_rollup)::int AS rollup_rows")).rows[0];
    const foldStarted = Date.now();
    for (let c = await counts(); c.deltas > 0; c = await counts()) {
      log(`  waiting for the fold: ${c.deltas} deltas left`);
      await sleep(5000);
    }
    result.foldWaitS = Math.round((Date.now() - foldStarted) / 1000);
    result.rows = await counts();
    await db.query("VACUUM ANALYZE analytics_delta, analytics_rollup");
    log(`rows: ${JSON.stringify(result.rows)}`);

    const dayEnd = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000);
    const iso = (ms) => new Date(ms).toISOString();
    const lastDay = { from: iso(dayEnd.getTime() - 86_400_000), to: dayEnd.toISOString(), interval: "HOUR" };
    const ninety = { from: iso(dayEnd.getTime() - 90 * 86_400_000), to: dayEnd.toISOString(), interval: "DAY" };
    // DAY buckets that do not start at UTC midnight: the daily rollup plus or minus 2 edge hours a day.
    const ninetyShifted = { from: iso(dayEnd.getTime() - 90 * 86_400_000 - 2 * 3_600_000), to: iso(dayEnd.getTime() - 2 * 3_600_000), interval: "DAY" };
    const cases = [
      ["HOUR over 1 day", lastDay],
      ["HOUR over 1 day, groupBy all 4", { ...lastDay, groupBy: ALL }],
      ["DAY over 90 days", ninety],
      ["DAY over 90 days, groupBy all 4", { ...ninety, groupBy: ALL }],
      ["DAY over 90 days, groupBy all 4, selecting only `payments`", { ...ninety, groupBy: ALL }, SMALL],
      ["DAY over 90 days from 22:00Z (daily rollup ± edge hours)", ninetyShifted],
      ["DAY over 90 days from 22:00Z, groupBy all 4", { ...ninetyShifted, groupBy: ALL }],
    ];
    result.queries = [];
    for (const [label, input, query] of cases) {
      const figures = await time(stack, input, query);
      log(`  ${label}: median ${figures.medianMs} ms, p95 ${figures.p95Ms} ms (${figures.buckets} buckets, ${figures.groups} groups, ${figures.payments} payments, ${figures.kb} KB)`);
      result.queries.push({ label, ...figures });
    }
    log("trigger cost: 1000 single-row UPDATEs with and without the analytics triggers");
    result.triggerCost = await triggerCost(db, merchantId);
    log(`  ${JSON.stringify(result.triggerCost)}`);
  } finally {
    await db.end().catch(() => undefined);
    await stack.stop({ keepDb: flags["keep-db"] }).catch((err) => log(`teardown: ${err.message}`));
  }
  writeFileSync(path.join(RESULTS, "analytics.json"), `${JSON.stringify(result, null, 2)}\n`);
  console.log(report(result));
}

function report(r) {
  return [
    `machine: ${r.machine.nproc} CPUs, ${r.machine.cpu}, node ${r.machine.node}, ${r.machine.date}`,
    `seeded ${r.rows.payments} payments, ${r.rows.attempts} attempts, ${r.rows.refunds} refunds in ${r.seed.seedS} s; fold done ${r.foldWaitS} s later; ${r.rows.rollup_rows} rollup rows`,
    "",
    "| query | median ms | p95 ms | buckets | groups | answer KB |",
    "|---|---|---|---|---|---|",
    ...r.queries.map((q) => `| ${q.label} | ${q.medianMs} | ${q.p95Ms} | ${q.buckets} | ${q.groups} | ${q.kb} |`),
    "",
    "| 1000 single-row UPDATEs (autocommit) | with triggers ms | without ms | extra per UPDATE ms |",
    "|---|---|---|---|",
    ...r.triggerCost.map((t) => `| ${t.label} | ${t.withMs} | ${t.withoutMs} | ${t.extraPerUpdateMs} |`),
  ].join("\n");
}

main().then(() => process.exit(0), (err) => {
  log(`failed: ${err.stack ?? err}`);
  process.exit(1);
});
