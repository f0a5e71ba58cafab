// The batch items finished, on /metrics, counted where they finish (the worker). Batches by status
// (`paygraph_batches{status}`) are read at scrape time (src/app/process.ts).
import { Counter } from "prom-client";
import { registry } from "../platform/metrics.js";

export const batchItemsFinished = new Counter({
  name: "paygraph_batch_items_total",
  help: "Batch items finished, by operation and outcome (succeeded, failed)",
  labelNames: ["operation", "outcome"] as const,
  registers: [registry],
});
