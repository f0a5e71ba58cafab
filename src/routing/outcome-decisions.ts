// What a failed gateway call means for the payment is data, not code: an ordered table per gateway
// kind maps (error code, decline code, message text) to a decision, in the spirit of Hyperswitch's
// gateway status mapping. Each connector ships its defaults (e.g. src/gateways/sandbox/decisions.ts);
// a merchant's overrides come first. The table is policy only: whatever it says, the attempt runner
// never leaves a gateway whose answer was lost without first asking it whether it charged.
import type { GatewayOutcome } from "../gateways/gateway.js";
import { GatewayDecision } from "../generated/prisma/enums.js";

// The decisions: RETRY (same gateway, same idempotency key, after a backoff; when retries run out,
// fail over), FAIL_OVER (the route plan's next gateway: a new attempt, a new key; none left: the
// payment is declined), STOP (decline: no other gateway sees this card for this confirmation),
// STEP_UP (the issuer wants 3-D Secure: the payment REQUIRES_ACTION). One definition, the database's.
export { GatewayDecision } from "../generated/prisma/enums.js";

export interface DecisionRule {
  /** The outcome's code, or "*" for any. */
  code: string;
  /** When set, the decline code must be equal too. */
  declineCode?: string | null;
  /** When set, the gateway's message must contain this text (case-insensitive). A plain substring, not a regex: merchants write these, and a regex could be made to run for ever on a gateway's message. */
  messageContains?: string | null;
  decision: GatewayDecision;
  description?: string | null;
}

export type FailedOutcome = Extract<GatewayOutcome, { kind: "declined" | "transient" }>;

export interface Classification {
  decision: GatewayDecision;
  /** The rule that decided; undefined when none matched and the safe fallback applied. */
  rule: DecisionRule | undefined;
}

export function ruleMatches(rule: DecisionRule, outcome: FailedOutcome): boolean {
  if (rule.code !== "*" && rule.code !== outcome.code) return false;
  if (rule.declineCode && rule.declineCode !== (outcome.kind === "declined" ? outcome.declineCode : "")) return false;
  return !rule.messageContains || outcome.message.toLowerCase().includes(rule.messageContains.toLowerCase());
}

/**
 * First matching rule wins. With none: a lost answer is retried (its fate is unknown), a refusal
 * stops — the two choices that can never charge twice or hide a hard decline.
 */
export function classify(outcome: FailedOutcome, rules: readonly DecisionRule[]): Classification {
  const rule = rules.find((r) => ruleMatches(r, outcome));
  return { decision: rule?.decision ?? (outcome.kind === "transient" ? GatewayDecision.RETRY : GatewayDecision.STOP), rule };
}
