// The authorization a capture, void or refund goes back to (its gateway and reference), and the
// typed API error of a gateway's non-approval.
import type { Payment } from "../../generated/prisma/client.js";
import type { Ctx } from "../../app/app.js";
import { AppError, ErrorCode } from "../../platform/errors.js";
import type { GatewayOutcome } from "../../gateways/gateway.js";
import type { GatewayTarget } from "../../gateways/gateway-call.js";

/** The gateway that authorized the payment and its reference there: captures, voids and refunds go back to it. */
export async function authorization(ctx: Ctx, payment: Payment): Promise<{ target: GatewayTarget; reference: string }> {
  const attempt = await ctx.app.db.paymentAttempt.findFirst({
    where: { merchantId: ctx.merchantId, paymentId: payment.id, status: "SUCCEEDED", gatewayReference: { not: null } },
    orderBy: { createdAt: "desc" },
  });
  if (!attempt?.gatewayReference) throw new AppError(ErrorCode.INTERNAL, `Payment ${payment.id} has no successful authorization`);
  return { target: { merchantId: attempt.merchantId, gatewayAccountId: attempt.gatewayAccountId }, reference: attempt.gatewayReference };
}

export function requireApproved(outcome: GatewayOutcome, action: string): void {
  switch (outcome.kind) {
    case "approved":
      return;
    case "transient":
      throw new AppError(ErrorCode.GATEWAY_UNAVAILABLE, `The gateway could not ${action} the payment now (${outcome.code}); retry later`, { gatewayCode: outcome.code });
    case "declined":
      // A refusal without a decline code is about the gateway's record (already captured,
      // voided, unknown), not the card: the two records disagree, which is a conflict.
      if (!outcome.declineCode) {
        throw new AppError(ErrorCode.CONFLICT, `The gateway refused to ${action} the payment: its record of it differs (${outcome.code})`, { gatewayCode: outcome.code });
      }
      throw new AppError(ErrorCode.CARD_DECLINED, `The gateway declined to ${action} the payment`, { declineCode: outcome.declineCode });
    case "requires_action":
      throw new AppError(ErrorCode.INTERNAL, `Unexpected gateway answer to ${action}`);
  }
}
