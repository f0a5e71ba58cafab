// The synchronous gateway calls of capture and cancel: find the authorization's reference and
// turn a non-approval into a typed API error. Never called inside a database transaction.
import type { Payment } from "../../generated/prisma/client.js";
import type { Ctx } from "../../platform/app.js";
import { AppError, ErrorCode } from "../../platform/errors.js";
import type { Gateway, GatewayOutcome } from "../../gateways/gateway.js";

export function gatewayOf(ctx: Ctx): Gateway {
  if (!ctx.app.gateway) throw new AppError(ErrorCode.GATEWAY_UNAVAILABLE, "No payment gateway is configured on this server");
  return ctx.app.gateway;
}

export async function authorizationReference(ctx: Ctx, payment: Payment): Promise<string> {
  const attempt = await ctx.app.db.paymentAttempt.findFirst({
    where: { merchantId: ctx.merchantId, paymentId: payment.id, status: "SUCCEEDED", gatewayReference: { not: null } },
    orderBy: { createdAt: "desc" },
  });
  if (!attempt?.gatewayReference) throw new AppError(ErrorCode.INTERNAL, `Payment ${payment.id} has no successful authorization`);
  return attempt.gatewayReference;
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
