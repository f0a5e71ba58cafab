// The alerts' figures on /metrics, counted where they happen (the worker): transitions and notices.
// The alerts firing now (`paygraph_alerts_firing{kind}`) are read at scrape time (src/app/process.ts).
import { Counter } from "prom-client";
import { registry } from "../platform/metrics.js";

export const alertTransitions = new Counter({
  name: "paygraph_alert_transitions_total",
  help: "Alerts that fired or resolved, by rule kind and new state",
  labelNames: ["kind", "state"] as const,
  registers: [registry],
});

export const alertNotifications = new Counter({
  name: "paygraph_alert_notifications_total",
  help: "Alert notice tries, by channel (webhook, slack, email) and outcome: sent, retried, failed (no more tries)",
  labelNames: ["channel", "outcome"] as const,
  registers: [registry],
});
