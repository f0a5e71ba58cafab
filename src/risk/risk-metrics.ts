// The risk step's figures on /metrics: how long scoring takes (the rules, and apart from them the
// velocity counters' Redis call) and what it decided.
import { Counter, Histogram } from "prom-client";
import { registry } from "../platform/metrics.js";

export const riskScoringSeconds = new Histogram({
  name: "paygraph_risk_scoring_duration_seconds",
  help: "Time the risk step takes per confirmation, by part: decide (rules, model, lists, in process) and lookup (the Redis counters and the settings and lists, read at once)",
  labelNames: ["part"] as const,
  buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1],
  registers: [registry],
});

export const riskVelocityUnavailable = new Counter({
  name: "paygraph_risk_velocity_unavailable_total",
  help: "Confirmations scored without velocity counts (Redis late or failing): the velocity rules could not fire",
  registers: [registry],
});

export const riskOutcomes = new Counter({
  name: "paygraph_risk_outcomes_total",
  help: "Confirmations scored, by outcome (ALLOW, REQUEST_3DS, REVIEW, BLOCK)",
  labelNames: ["outcome"] as const,
  registers: [registry],
});
