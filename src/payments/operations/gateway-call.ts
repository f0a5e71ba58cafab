// The synchronous gateway calls of capture and cancel: find the authorization's reference and
// turn a non-approval into a typed API error. Never called inside a database transaction.
import type { Payment } from "../../generated/prisma/client.js";
import type { Ctx } from "../../platform/app.js";
import { AppError, ErrorCode } from "../../platform/errors.js";
import type { Gateway, GatewayOutcome } from "../../gateways/gateway.js";
import { gatewayFor } from "../../gateways/registry.js";

/** The gateway that authorized the payment and its reference there: captures, voids and refunds go back to it. */
export async function authorization(ctx: Ctx, payment: Payment): Promise<{ gateway: Gateway; reference: string }> {
  const attempt = await ctx.app.db.paymentAttempt.findFirst({
    where: { merchantId: ctx.merchantId, paymentId: payment.id, status: "SUCCEEDED", gatewayReference: { not: null } },
    orderBy: { createdAt: "desc" },
  });
  if (!attempt?.gatewayReference) throw new AppError(ErrorCode.INTERNAL, `Payment ${payment.id} has no successful authorization`);
  return { gateway: await gatewayFor(ctx.app, attempt), reference: attempt.gatewayReference };
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
