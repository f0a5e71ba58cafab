// The gateway queue's producer side: the outbox relay turns `job.gateway` messages into BullMQ jobs
// whose id is the attempt or refund id, so a message relayed twice is still one job.
import type { Queue } from "bullmq";
import type { Config } from "../config.js";
import { gatewayJobId, gatewayJobOptions, type GatewayJob } from "../platform/queue.js";
import type { OutboxHandler } from "../platform/outbox.js";

export function enqueueGatewayJobs(queue: Queue<GatewayJob>, config: Config): OutboxHandler {
  const options = gatewayJobOptions(config.gatewayRetries);
  return async (payloads) => {
    const jobs = payloads as GatewayJob[];
    await queue.addBulk(jobs.map((data) => ({ name: data.kind, data, opts: { ...options, jobId: gatewayJobId(data) } })));
  };
}
