// Prometheus metrics (prom-client). Gauges that need I/O (payments by status, queue depth) are
// collected at scrape time by callbacks the process registers, so nothing polls in between.
//
// Under `paygraph start` every process is a node:cluster worker (src/cli/supervisor.ts): /metrics then
// serves the figures of all of them, summed by the supervisor with prom-client's cluster protocol
// (counters and histograms add up; gauges read from PostgreSQL or Redis are taken once), so the
// worker's deliveries, notices and gateway latencies are seen, whichever api process is scraped.
import cluster from "node:cluster";
import { randomUUID } from "node:crypto";
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: "paygraph_" });

// prom-client also reports three sums of its per-type gauges under `*_total`, a suffix Prometheus
// keeps for counters (`promtool check metrics` fails them); the per-type gauges
// (`paygraph_nodejs_active_handles{type}`, …) hold the same figures, so the sums go.
for (const name of ["active_handles", "active_requests", "active_resources"]) registry.removeSingleMetric(`paygraph_nodejs_${name}_total`);

export const httpRequests = new Counter({
  name: "paygraph_http_requests_total",
  help: "HTTP requests served, by route and status code",
  labelNames: ["route", "status"] as const,
  registers: [registry],
});

export const gatewayLatency = new Histogram({
  name: "paygraph_gateway_request_duration_seconds",
  help: "Latency of calls to payment gateways, by gateway, operation and outcome",
  labelNames: ["gateway", "operation", "outcome"] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

/**
 * A gauge of rows counted by one label, read from the database at scrape time:
 * `paygraph_payments{status}`, `paygraph_batches{status}`, `paygraph_alerts_firing{kind}`.
 */
export function countsGauge(name: string, help: string, label: string, collect: () => Promise<{ key: string; count: number }[]>): Gauge<string> {
  return new Gauge({
    name,
    help,
    labelNames: [label],
    registers: [registry],
    aggregator: "first", // every process reads the same rows
    async collect() {
      this.reset();
      for (const row of await collect()) this.set({ [label]: row.key }, row.count);
    },
  });
}

/** Jobs in a BullMQ queue by state (`paygraph_<queue>_queue_jobs`), read from Redis at scrape time. */
export function queueDepthGauge(queue: string, collect: () => Promise<Record<string, number>>): Gauge<"state"> {
  return new Gauge({
    name: `paygraph_${queue}_queue_jobs`,
    help: `Jobs in the ${queue} queue, by state`,
    labelNames: ["state"] as const,
    registers: [registry],
    aggregator: "first", // every process reads the same queue
    async collect() {
      for (const [state, count] of Object.entries(await collect())) this.set({ state }, count);
    },
  });
}

/** Messages between an api process and the supervisor: "send me everyone's figures". */
export const METRICS_ASK = "paygraph:metrics-ask";
export const METRICS_TEXT = "paygraph:metrics-text";
const CLUSTER_METRICS_TIMEOUT_MS = 6_000;

if (cluster.isWorker) {
  // Answer the supervisor's prom-client requests with this registry (the constructor adds the listener).
  AggregatorRegistry.setRegistries([registry]);
  new AggregatorRegistry();
}

const asked = new Map<string, (reply: { text?: string; error?: string }) => void>();
if (cluster.isWorker) {
  process.on("message", (m: { type?: string; id?: string; text?: string; error?: string }) => {
    if (m?.type === METRICS_TEXT && m.id) asked.get(m.id)?.(m);
  });
}

/** The Prometheus text /metrics serves: this process's figures, or under the supervisor everyone's. */
export async function metricsText(): Promise<string> {
  if (!cluster.isWorker || !process.send) return registry.metrics();
  const id = randomUUID();
  const reply = await new Promise<{ text?: string; error?: string }>((resolve) => {
    const timer = setTimeout(() => resolve({ error: "the supervisor did not answer" }), CLUSTER_METRICS_TIMEOUT_MS);
    asked.set(id, (r) => {
      clearTimeout(timer);
      resolve(r);
    });
    process.send!({ type: METRICS_ASK, id });
  }).finally(() => asked.delete(id));
  if (reply.text === undefined) throw new Error(`cluster metrics unavailable: ${reply.error ?? "no answer"}`);
  return reply.text;
}

/** In the supervisor: answers each api process's METRICS_ASK with every process's figures, summed. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on("message", (worker, m: { type?: string; id?: string }) => {
    if (m?.type !== METRICS_ASK) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: METRICS_TEXT, id: m.id, text }),
      (err: Error) => worker.send({ type: METRICS_TEXT, id: m.id, error: err.message }),
    );
  });
}
