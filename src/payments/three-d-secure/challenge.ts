// The end of a 3-D Secure challenge. The shopper's browser comes back through paygraph with the
// ACS's CRes, which proves nothing by itself: paygraph reads the result from the directory server,
// server to server, and moves the payment on in one transaction —
//   Y, A  REQUIRES_ACTION → PROCESSING, and the waiting attempt's authorization is queued (the
//         worker authorizes with the authentication value, capturing as the payment says)
//   else  REQUIRES_ACTION → REQUIRES_PAYMENT_METHOD: authentication_failed, or
//         authentication_abandoned for a challenge nobody finished in THREEDS_TIMEOUT_SECONDS
//         (expiry.ts; the directory server's own time-out, reason 14, counts the same).
// Safe to run twice, and from two places at once: only the run that closes the open row moves on.
import type { App, Ctx } from "../../app/app.js";
import type { Payment, ThreeDSecureAuthentication } from "../../generated/prisma/client.js";
import type { ThreeDSecureSummary } from "../payment-change.js";
import { callGateway } from "../../gateways/gateway-call.js";
import type { ThreeDSResult } from "../../gateways/gateway.js";
import { relayOutbox, writeOutbox } from "../../platform/outbox.js";
import { GATEWAY_JOB_TOPIC, type GatewayJob } from "../../platform/queue.js";
import { transitionPayment } from "../transition.js";
import { AUTHENTICATION_ABANDONED, AUTHENTICATION_FAILED, refusalMessage, summaryOf } from "./authentication.js";

/** Is the payment waiting for this very authentication's challenge? */
export const awaitsThis = (payment: Pick<Payment, "status" | "threeDSecure">, authenticationId: string): boolean =>
  payment.status === "REQUIRES_ACTION" && (payment.threeDSecure as ThreeDSecureSummary | null)?.id === authenticationId;

/** The EMV reason of a challenge that timed out at the ACS. */
const TIMED_OUT = "14";

/**
 * Reads the challenge's result and settles it. `expired`: the challenge is past its time, so one
 * still open (or whose result cannot be read) is abandoned. Answers the row as it now stands.
 */
export async function settleChallenge(app: App, id: string, { expired }: { expired: boolean }): Promise<ThreeDSecureAuthentication | undefined> {
  const row = await app.db.threeDSecureAuthentication.findUnique({ where: { id } });
  if (!row || row.transStatus !== "C") return row ?? undefined;
  const attempt = await app.db.paymentAttempt.findFirstOrThrow({ where: { id: row.attemptId, merchantId: row.merchantId } });
  const { outcome } = await callGateway(app, attempt, { op: "authentication", transactionId: attempt.id });
  const result = outcome.kind === "authentication" ? outcome.result : undefined;
  if (!expired && (!result || result.transStatus === "C")) return row; // nothing to settle yet
  // Past its time but the result unreadable (the directory server down): a shopper who passed must
  // not be declined for it, so wait, up to a second timeout, for the directory server to answer.
  if (!result && row.expiresAt && Date.now() < row.expiresAt.getTime() + app.config.threeDSTimeoutMs) return row;
  const final: Pick<ThreeDSResult, "transStatus" | "transStatusReason" | "eci" | "authenticationValue" | "challengeCancel"> =
    result && result.transStatus !== "C" ? result : { transStatus: "N", transStatusReason: TIMED_OUT, eci: row.eci, authenticationValue: null, challengeCancel: null };
  const authenticated = final.transStatus === "Y" || final.transStatus === "A";
  const abandoned = !authenticated && final.transStatusReason === TIMED_OUT && final.challengeCancel === null;
  const ctx: Ctx = { app, merchantId: row.merchantId, requestId: `3ds:${row.id}`, actor: "system:3ds" };
  const after: ThreeDSecureAuthentication = { ...row, ...final, updatedAt: new Date() };
  const threeDSecure = summaryOf(after);
  await relayOutbox(ctx, () =>
    app.db.$transaction(async (tx) => {
      const closed = await tx.threeDSecureAuthentication.updateMany({
        where: { id: row.id, transStatus: "C" },
        data: { transStatus: final.transStatus, transStatusReason: final.transStatusReason, eci: final.eci, authenticationValue: final.authenticationValue, challengeCancel: final.challengeCancel, updatedAt: after.updatedAt },
      });
      if (closed.count !== 1) return;
      const payment = await tx.payment.findFirstOrThrow({ where: { id: row.paymentId, merchantId: row.merchantId } });
      // Cancelled (or moved on) while the shopper was away, or a stale row of another attempt: the
      // attempt ends, the payment stays.
      const awaited = awaitsThis(payment, row.id);
      const code = abandoned ? AUTHENTICATION_ABANDONED : AUTHENTICATION_FAILED;
      const message = abandoned ? "The shopper did not finish the 3-D Secure challenge in time; nothing was charged" : refusalMessage(final);
      const resumes = authenticated && awaited;
      const held = await tx.paymentAttempt.updateMany({
        where: { id: row.attemptId, status: "REQUIRES_ACTION" },
        data: resumes
          ? { status: "PENDING", updatedAt: new Date() }
          : { status: "FAILED", errorCode: awaited ? code : "payment_moved_on", errorMessage: awaited ? message : `The payment became ${payment.status} during the challenge`, decision: "STOP", updatedAt: new Date() },
      });
      if (!awaited || held.count !== 1) return;
      if (resumes) {
        const job: GatewayJob = { kind: "authorize", attemptId: row.attemptId, merchantId: row.merchantId };
        await transitionPayment(tx, ctx, payment.id, { kind: "authenticated", threeDSecure }, { read: payment });
        await writeOutbox(tx, [{ topic: GATEWAY_JOB_TOPIC, payload: job }]);
        return;
      }
      await transitionPayment(tx, ctx, payment.id, { kind: "declined", error: { code, declineCode: final.transStatusReason, message, attemptId: row.attemptId }, threeDSecure }, { read: payment });
    }),
  );
  return after;
}

/** What the shopper's pages need of an authentication (by its id, or by its attempt's from a CRes): the challenge to post, and the payment's status and returnUrl. */
export async function authenticationForBrowser(app: App, by: { id: string } | { attemptId: string }) {
  const auth = await app.db.threeDSecureAuthentication.findUnique({ where: by, select: { id: true, paymentId: true, merchantId: true, transStatus: true, acsUrl: true, creq: true, expiresAt: true } });
  if (!auth) return undefined;
  const payment = await app.db.payment.findFirst({ where: { id: auth.paymentId, merchantId: auth.merchantId }, select: { id: true, status: true, returnUrl: true, threeDSecure: true } });
  return payment ? { ...auth, payment, open: auth.transStatus === "C" && awaitsThis(payment, auth.id) && (!auth.expiresAt || auth.expiresAt > new Date()) } : undefined;
}
