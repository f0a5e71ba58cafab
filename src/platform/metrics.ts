// Prometheus metrics (prom-client). Gauges that need I/O (payments by status, queue depth) are
// collected at scrape time by callbacks the process registers, so nothing polls in between.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

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
    async collect() {
      for (const [state, count] of Object.entries(await collect())) this.set({ state }, count);
    },
  });
}
