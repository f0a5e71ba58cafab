// What each kind of alert rule watches, which condition fields it takes, and when a measured value
// fires, holds, or clears an alert. Pure: measure.ts produces the values, incidents.ts acts on the
// verdicts.
//
// Hysteresis is a band: an alert fires when the value crosses the threshold, and counts as clear
// only once the value is back past the threshold by the band (5 points of a share, at most half the
// way to its bound; 20 % of a time). Between the two it holds. incidents.ts adds the other half:
// the value must stay clear for ALERT_RESOLVE_AFTER before the alert resolves. So a gateway
// flapping around its threshold fires once, and stays firing, rather than paging every minute.
import type { AlertKind } from "../generated/prisma/enums.js";
import { badInput } from "../platform/errors.js";

export interface AlertCondition {
  gatewayAccountId?: string | null;
  declineCode?: string | null;
  webhookEndpointId?: string | null;
  threshold?: number | null;
  windowSeconds?: number | null;
  minVolume?: number | null;
}

/** A condition as stored: every field its kind takes filled in (defaults applied), no other. */
export interface StoredCondition {
  gatewayAccountId: string | null;
  declineCode: string | null;
  webhookEndpointId: string | null;
  threshold: number;
  windowSeconds: number | null;
  minVolume: number | null;
}

type Field = keyof AlertCondition;
type Unit = "share" | "ms" | "seconds" | "none";

interface KindSpec {
  /** Which way is bad: a value below the threshold (success rate), or above it. */
  direction: "below" | "above" | "state" | "duration";
  unit: Unit;
  /** The fields it takes; `required` ones must be given. */
  fields: readonly Field[];
  required: readonly Field[];
  defaultThreshold?: number;
  /** Queues are shared by every merchant: only platform administrators watch them. */
  platformOnly?: boolean;
  describe: string;
}

export const KINDS: Record<AlertKind, KindSpec> = {
  GATEWAY_SUCCESS_RATE_BELOW: {
    direction: "below", unit: "share", fields: ["gatewayAccountId", "threshold", "windowSeconds", "minVolume"], required: ["threshold"],
    describe: "the share of a gateway account's calls approved",
  },
  DECLINE_CODE_SHARE_ABOVE: {
    direction: "above", unit: "share", fields: ["gatewayAccountId", "declineCode", "threshold", "windowSeconds", "minVolume"], required: ["declineCode", "threshold"],
    describe: "one decline code's share of finished attempts",
  },
  CIRCUIT_OPEN: {
    direction: "state", unit: "none", fields: ["gatewayAccountId"], required: [], defaultThreshold: 1,
    describe: "a gateway account's circuit breaker",
  },
  QUEUE_AGE_ABOVE: {
    direction: "above", unit: "seconds", fields: ["threshold"], required: ["threshold"], platformOnly: true,
    describe: "the age of a queue's oldest waiting job",
  },
  WEBHOOK_ENDPOINT_FAILING: {
    direction: "duration", unit: "seconds", fields: ["webhookEndpointId", "threshold"], required: [], defaultThreshold: 3600,
    describe: "how long a webhook endpoint has failed every delivery",
  },
  GATEWAY_LATENCY_P99_ABOVE: {
    direction: "above", unit: "ms", fields: ["gatewayAccountId", "threshold", "windowSeconds", "minVolume"], required: ["threshold"],
    describe: "a gateway account's p99 latency",
  },
};

const DEFAULT_WINDOW_SECONDS = 300;
const DEFAULT_MIN_VOLUME = 20;
const MAX_WINDOW_SECONDS = 86_400;

/**
 * The condition as stored, or BAD_USER_INPUT naming the field (`condition.<field>`). A field the
 * kind does not use is refused rather than ignored: a merchant who sets `declineCode` on a success
 * rate rule expects it to mean something. `maxWindowSeconds` caps a success-rate window at what the
 * gateways' figures keep (ROUTING_WINDOW_MS).
 */
export function checkCondition(kind: AlertKind, input: AlertCondition, limits: { maxSuccessRateWindowSeconds: number }): StoredCondition {
  const spec = KINDS[kind];
  const given = (f: Field): boolean => input[f] !== undefined && input[f] !== null;
  for (const f of Object.keys(input) as Field[]) {
    if (given(f) && !spec.fields.includes(f)) throw badInput(`${kind} does not take ${f}`, `condition.${f}`);
  }
  for (const f of spec.required) if (!given(f)) throw badInput(`${kind} needs ${f}`, `condition.${f}`);
  const threshold = input.threshold ?? spec.defaultThreshold ?? 0;
  if (!Number.isFinite(threshold)) throw badInput("threshold must be a number", "condition.threshold");
  if (spec.unit === "share" && !(threshold > 0 && threshold < 1)) throw badInput("threshold is a share here: more than 0 and less than 1 (0.8 = 80 %)", "condition.threshold");
  const week = spec.unit === "ms" ? 7 * 86_400_000 : 7 * 86_400;
  if ((spec.unit === "ms" || spec.unit === "seconds") && !(threshold >= 0 && threshold <= week)) {
    throw badInput(`threshold is in ${spec.unit} here: from 0 to ${week} (a week)`, "condition.threshold");
  }
  const windowed = spec.fields.includes("windowSeconds");
  const maxWindow = kind === "GATEWAY_SUCCESS_RATE_BELOW" ? limits.maxSuccessRateWindowSeconds : MAX_WINDOW_SECONDS;
  const windowSeconds = windowed ? input.windowSeconds ?? Math.min(DEFAULT_WINDOW_SECONDS, maxWindow) : null;
  if (windowSeconds !== null && !(Number.isInteger(windowSeconds) && windowSeconds >= 1 && windowSeconds <= maxWindow)) {
    throw badInput(`windowSeconds must be a whole number from 1 to ${maxWindow}`, "condition.windowSeconds");
  }
  const minVolume = spec.fields.includes("minVolume") ? input.minVolume ?? DEFAULT_MIN_VOLUME : null;
  if (minVolume !== null && !(Number.isInteger(minVolume) && minVolume >= 1 && minVolume <= 1_000_000)) {
    throw badInput("minVolume must be a whole number from 1 to 1000000", "condition.minVolume");
  }
  const declineCode = input.declineCode?.trim() ?? null;
  if (given("declineCode") && !/^[a-z0-9_]{1,64}$/.test(declineCode ?? "")) throw badInput("declineCode is a gateway decline code such as insufficient_funds", "condition.declineCode");
  return {
    gatewayAccountId: input.gatewayAccountId ?? null,
    declineCode,
    webhookEndpointId: input.webhookEndpointId ?? null,
    threshold,
    windowSeconds,
    minVolume,
  };
}

/** 0.8 + 0.05 is 0.8500000000000001 in floating point: a band edge is rounded to 9 places. */
const tidy = (x: number): number => Math.round(x * 1e9) / 1e9;

export type Verdict = "breached" | "within-band" | "clear";

/** Where `value` stands against the threshold: breached, clear (past the band), or within the band. */
export function verdict(kind: AlertKind, threshold: number, value: number): Verdict {
  const spec = KINDS[kind];
  // A state (1 open, 0.5 half-open, 0 closed) and a duration (seconds failing, 0 when healthy)
  // clear only at 0: a circuit half-open or an endpoint failing for less than the threshold holds.
  if (spec.direction === "state") return value >= threshold ? "breached" : value <= 0 ? "clear" : "within-band";
  if (spec.direction === "duration") return value > 0 && value >= threshold ? "breached" : value <= 0 ? "clear" : "within-band";
  if (spec.direction === "below") {
    if (value < threshold) return "breached";
    const clearAt = tidy(spec.unit === "share" ? Math.min(threshold + 0.05, (threshold + 1) / 2) : threshold * 1.2);
    return value >= clearAt ? "clear" : "within-band";
  }
  if (value > threshold) return "breached";
  const clearAt = tidy(spec.unit === "share" ? Math.max(threshold - 0.05, threshold / 2) : threshold * 0.8);
  return value <= clearAt ? "clear" : "within-band";
}

const SHARE_FORMAT = new Intl.NumberFormat("en-US", { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** A value as a person reads it: "42.0%", "1500 ms", "95 s". */
export function formatValue(kind: AlertKind, value: number): string {
  switch (KINDS[kind].unit) {
    // A share of counts (a success or decline rate), never money: Intl's percent style, one decimal.
    case "share": return SHARE_FORMAT.format(value);
    case "ms": return `${Math.round(value)} ms`;
    case "seconds": return `${Math.round(value)} s`;
    case "none": return String(value);
  }
}
