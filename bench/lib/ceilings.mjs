// The two ceilings paygraph is measured against, in the same run on the same machine:
// (a) pgbench running /work/shared/bench/lifecycle.sql (the raw-SQL writes of one lifecycle) on a
//     scratch database → tps; (b) bare Apollo Server 5 + Fastify answering `{ __typename }` → req/s.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { cannon } from "./cannon.mjs";
import { createDatabase, dbUrl, dropDatabase } from "./db.mjs";
import { run, startNode } from "./procs.mjs";
import { round } from "./stats.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const SHARED_BENCH = process.env.BENCH_SQL_DIR ?? "/work/shared/bench";

export async function pgbenchCeiling({ name, durationS, clients = 8, threads = 2 }) {
  await createDatabase(name);
  try {
    const url = dbUrl(name);
    const schema = await run("psql", [url, "-q", "-v", "ON_ERROR_STOP=1", "-f", path.join(SHARED_BENCH, "schema.sql")]);
    if (schema.code !== 0) throw new Error(`psql schema.sql failed: ${schema.stderr}`);
    const args = ["-n", "-f", path.join(SHARED_BENCH, "lifecycle.sql"), "-c", String(clients), "-j", String(threads), "-T", String(durationS), url];
    const out = await run("pgbench", args);
    if (out.code !== 0) throw new Error(`pgbench failed: ${out.stderr}`);
    const tps = /tps = ([\d.]+)/.exec(out.stdout);
    const latency = /latency average = ([\d.]+) ms/.exec(out.stdout);
    const failed = /number of failed transactions: (\d+)/.exec(out.stdout);
    const processed = /number of transactions actually processed: (\d+)/.exec(out.stdout);
    return {
      command: `pgbench ${args.slice(0, -1).join(" ")} <db>`,
      tps: tps ? round(Number(tps[1])) : null,
      latencyAvgMs: latency ? Number(latency[1]) : null,
      failed: failed ? Number(failed[1]) : 0,
      transactions: processed ? Number(processed[1]) : null,
    };
  } finally {
    await dropDatabase(name);
  }
}

export async function bareApolloCeiling({ durationS, connections = 50, warmupS = 3 }) {
  const proc = startNode("bare-apollo", [path.join(HERE, "..", "bare-apollo.mjs"), "--port", "0"], { env: { NODE_ENV: "production" } });
  try {
    const url = (await proc.waitFor(/listening on (http:\/\/\S+)/))[1];
    const body = JSON.stringify({ query: "{ __typename }" });
    const opts = { url, connections, body: () => body, ok: (j) => j.data.__typename === "Query" };
    if (warmupS > 0) await cannon({ ...opts, durationS: warmupS });
    return { ...(await cannon({ ...opts, durationS })), warmupS };
  } finally {
    await proc.stop();
  }
}
