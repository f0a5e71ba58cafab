// The sandbox connector's outcome table (see src/routing/outcome-decisions.ts): which of its
// answers are worth retrying, worth another gateway, or final. Real connectors ship their own.
import { CONNECT_FAILED } from "../gateway.js";
import { GatewayDecision as D, type DecisionRule } from "../../routing/outcome-decisions.js";

/**
 * The codes of the sandbox's lost or unusable answers (mapping.ts's `transient` outcomes): the only
 * ones a RETRY row may name. Everything else it answers is a refusal, and a refusal repeated under
 * the same key is the same refusal.
 */
export const SANDBOX_LOST_ANSWER_CODES: readonly string[] = [CONNECT_FAILED, "timeout", "gateway_unavailable", "processing_error"];

export const SANDBOX_DECISIONS: readonly DecisionRule[] = [
  { code: CONNECT_FAILED, decision: D.FAIL_OVER, description: "The gateway could not be reached: nothing was sent, go to the next gateway at once" },
  { code: "timeout", decision: D.RETRY, description: "No answer in time: the charge may exist, so retry under the same key; then look it up before any other gateway" },
  { code: "gateway_unavailable", decision: D.RETRY, description: "5xx, 408, 429 or a dropped connection: retry under the same key" },
  { code: "processing_error", decision: D.RETRY, description: "The gateway failed to process: retry under the same key" },
  { code: "currency_not_supported", decision: D.FAIL_OVER, description: "A refusal about the gateway, not the card" },
  { code: "card_declined", declineCode: "authentication_required", decision: D.STEP_UP, description: "The issuer asks for 3-D Secure" },
  { code: "card_declined", declineCode: "insufficient_funds", decision: D.FAIL_OVER, description: "Soft decline: another acquirer may get an approval" },
  { code: "card_declined", declineCode: "try_again_later", decision: D.FAIL_OVER, description: "Soft decline: the issuer asks for another try" },
  { code: "*", decision: D.STOP, description: "Any other refusal (hard declines, invalid card, invalid request) is final" },
];
