// Alert conditions: which fields each kind takes, the hysteresis band between firing and clear,
// and the queue-age measurement against a real Redis (a queue of the test's own prefix).
import { afterAll, describe, expect, it } from "vitest";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { randomBytes } from "node:crypto";
import type { App } from "../../src/app/app.js";
import type { AlertRule } from "../../src/generated/prisma/client.js";
import { checkCondition, verdict } from "../../src/alerts/conditions.js";
import { measure } from "../../src/alerts/measure.js";
import { AppError } from "../../src/platform/errors.js";

const limits = { maxSuccessRateWindowSeconds: 600 };
const fieldOf = (run: () => unknown): string | undefined => {
  try {
    run();
  } catch (err) {
    return err instanceof AppError ? String(err.details.field) : "not an AppError";
  }
  return undefined;
};

describe("checkCondition", () => {
  it("fills each kind's defaults and nothing else", () => {
    expect(checkCondition("GATEWAY_SUCCESS_RATE_BELOW", { threshold: 0.9 }, limits)).toEqual({
      gatewayAccountId: null, declineCode: null, webhookEndpointId: null, threshold: 0.9, windowSeconds: 300, minVolume: 20,
    });
    expect(checkCondition("CIRCUIT_OPEN", {}, limits)).toMatchObject({ threshold: 1, windowSeconds: null, minVolume: null });
    expect(checkCondition("WEBHOOK_ENDPOINT_FAILING", {}, limits)).toMatchObject({ threshold: 3600 });
    expect(checkCondition("GATEWAY_SUCCESS_RATE_BELOW", { threshold: 0.9 }, { maxSuccessRateWindowSeconds: 60 }).windowSeconds).toBe(60);
  });

  it("names the field of every refusal", () => {
    expect(fieldOf(() => checkCondition("GATEWAY_SUCCESS_RATE_BELOW", { threshold: 1 }, limits))).toBe("condition.threshold");
    expect(fieldOf(() => checkCondition("GATEWAY_LATENCY_P99_ABOVE", { threshold: -5 }, limits))).toBe("condition.threshold");
    expect(fieldOf(() => checkCondition("DECLINE_CODE_SHARE_ABOVE", { threshold: 0.1, declineCode: "Robert'); DROP" }, limits))).toBe("condition.declineCode");
    expect(fieldOf(() => checkCondition("QUEUE_AGE_ABOVE", { threshold: 60, gatewayAccountId: "gwa_x" }, limits))).toBe("condition.gatewayAccountId");
    expect(fieldOf(() => checkCondition("GATEWAY_SUCCESS_RATE_BELOW", { threshold: 0.5, windowSeconds: 601 }, limits))).toBe("condition.windowSeconds");
    expect(fieldOf(() => checkCondition("GATEWAY_SUCCESS_RATE_BELOW", { threshold: 0.5, minVolume: 0 }, limits))).toBe("condition.minVolume");
  });
});

describe("verdict (the hysteresis band)", () => {
  it("a success rate fires below its threshold, clears only 5 points above it, holds between", () => {
    expect(verdict("GATEWAY_SUCCESS_RATE_BELOW", 0.8, 0.79)).toBe("breached");
    expect(verdict("GATEWAY_SUCCESS_RATE_BELOW", 0.8, 0.82)).toBe("within-band");
    expect(verdict("GATEWAY_SUCCESS_RATE_BELOW", 0.8, 0.85)).toBe("clear");
    // Near the bound the band is half the way to it.
    expect(verdict("GATEWAY_SUCCESS_RATE_BELOW", 0.98, 0.985)).toBe("within-band");
    expect(verdict("GATEWAY_SUCCESS_RATE_BELOW", 0.98, 0.99)).toBe("clear");
  });

  it("a share or a time fires above its threshold and clears below the band", () => {
    expect(verdict("DECLINE_CODE_SHARE_ABOVE", 0.1, 0.11)).toBe("breached");
    expect(verdict("DECLINE_CODE_SHARE_ABOVE", 0.1, 0.07)).toBe("within-band");
    expect(verdict("DECLINE_CODE_SHARE_ABOVE", 0.1, 0.05)).toBe("clear");
    expect(verdict("GATEWAY_LATENCY_P99_ABOVE", 2000, 2500)).toBe("breached");
    expect(verdict("GATEWAY_LATENCY_P99_ABOVE", 2000, 1700)).toBe("within-band");
    expect(verdict("GATEWAY_LATENCY_P99_ABOVE", 2000, 1600)).toBe("clear");
  });

  it("a circuit and a failing endpoint clear only when fully healthy", () => {
    expect(verdict("CIRCUIT_OPEN", 1, 1)).toBe("breached");
    expect(verdict("CIRCUIT_OPEN", 1, 0.5)).toBe("within-band"); // half-open: a probe is out
    expect(verdict("CIRCUIT_OPEN", 1, 0)).toBe("clear");
    expect(verdict("WEBHOOK_ENDPOINT_FAILING", 3600, 4000)).toBe("breached");
    expect(verdict("WEBHOOK_ENDPOINT_FAILING", 3600, 60)).toBe("within-band");
    expect(verdict("WEBHOOK_ENDPOINT_FAILING", 0, 1)).toBe("breached");
    expect(verdict("WEBHOOK_ENDPOINT_FAILING", 0, 0)).toBe("clear");
  });
});

describe("queue age (real Redis)", () => {
  const connection = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
  const prefix = `t_alerts_${randomBytes(4).toString("hex")}`;
  const queue = new Queue("gateway", { connection, prefix });
  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    connection.disconnect();
  });

  it("is the age of the oldest job waiting, 0 when none waits", async () => {
    const rule = { kind: "QUEUE_AGE_ABOVE", merchantId: "mer_x" } as AlertRule;
    const condition = checkCondition("QUEUE_AGE_ABOVE", { threshold: 1 }, limits);
    const queues = new Map([["gateway", queue]]);
    expect(await measure({} as App, rule, condition, queues)).toEqual([{ subject: "gateway", label: "the gateway queue", value: 0 }]);
    await queue.add("old", {}, { timestamp: Date.now() - 90_000 });
    await queue.add("new", {});
    await queue.add("urgent", {}, { priority: 1, timestamp: Date.now() - 30_000 });
    const [observed] = await measure({} as App, rule, condition, queues);
    expect(observed!.value).toBeGreaterThanOrEqual(90);
    expect(observed!.value).toBeLessThan(120);
    expect(verdict("QUEUE_AGE_ABOVE", 60, observed!.value!)).toBe("breached");
  });
});
