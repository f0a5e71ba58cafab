// The webhooks' figures on /metrics, counted where deliveries happen (the worker).
import { Counter, Histogram } from "prom-client";
import { registry } from "../platform/metrics.js";

export const webhookDeliveries = new Counter({
  name: "paygraph_webhook_deliveries_total",
  help: "Webhook delivery tries, by outcome: delivered (2xx), failed (tried again later), gave_up (no more tries)",
  labelNames: ["outcome"] as const,
  registers: [registry],
});

export const webhookLatency = new Histogram({
  name: "paygraph_webhook_delivery_duration_seconds",
  help: "Time from sending a webhook to the receiver's answer (or the timeout), by outcome",
  labelNames: ["outcome"] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
  registers: [registry],
});

export const webhookEndpointsDisabled = new Counter({
  name: "paygraph_webhook_endpoints_disabled_total",
  help: "Webhook endpoints disabled by paygraph, by reason: gone (410) or failing (WEBHOOK_DISABLE_AFTER of failures)",
  labelNames: ["reason"] as const,
  registers: [registry],
});
