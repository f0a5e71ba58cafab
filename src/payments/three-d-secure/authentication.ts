// 3-D Secure before an attempt's authorization. `authenticateAttempt` is the one call that does it:
// the attempt runner makes it for an attempt that requires authentication — asked by the merchant
// (requestThreeDSecure: ANY), by the issuer through an earlier attempt (a `requires_action` answer
// or a STEP_UP row of the outcome table), or by the risk step. It sends the AReq through the
// gateway module and records the answer with the transition it brings, in one transaction:
//   Y, A  authenticated: the payment stays PROCESSING and the attempt authorizes with the value
//   U     unavailable: the attempt authorizes without it (no liability shift; an issuer that
//         insists answers requires_action again, and the payment is declined)
//   N, R  refused: the attempt fails, the payment is declined (authentication_failed)
//   C     a challenge: the attempt waits (REQUIRES_ACTION), and so does the payment, with its
//         nextAction; challenge.ts takes it on when the shopper's browser comes back.
import type { App, Ctx } from "../../app/app.js";
import { publicUrl } from "../../app/public-url.js";
import { Prisma, type Payment, type PaymentAttempt, type ThreeDSecureAuthentication } from "../../generated/prisma/client.js";
import { callGateway } from "../../gateways/gateway-call.js";
import { TransientGatewayError, type CardDetails, type GatewayOutcome, type ThreeDSResult } from "../../gateways/gateway.js";
import { newId } from "../../platform/ids.js";
import { relayOutbox } from "../../platform/outbox.js";
import type { ThreeDSecureSummary } from "../payment-change.js";
import { transitionPayment } from "../transition.js";

export const AUTHENTICATION_FAILED = "authentication_failed";
export const AUTHENTICATION_ABANDONED = "authentication_abandoned";
export const AUTHENTICATION_UNAVAILABLE = "authentication_unavailable";
/** The issuer still asks for authentication after one was done (or cannot be): final for this confirmation. */
export const AUTHENTICATION_REQUIRED = "authentication_required";

/**
 * Where the ACS sends the shopper's browser back: one URL for every authentication (the directory
 * server keeps it in the request's fingerprint, so it must not change between retries); the CRes
 * names the transaction, and the result is read from the directory server, never from the CRes.
 */
export const NOTIFICATION_PATH = "/3ds/complete";

/** Statuses after which the authorization goes on (U without a value). */
export const PROCEEDS: readonly string[] = ["Y", "A", "U"];

export function summaryOf(row: Pick<ThreeDSecureAuthentication, "id" | "version" | "flow" | "transStatus" | "transStatusReason" | "eci">): ThreeDSecureSummary {
  return {
    id: row.id, version: row.version, flow: row.flow, transStatus: row.transStatus, transStatusReason: row.transStatusReason, eci: row.eci,
    liabilityShifted: row.transStatus === "Y" || row.transStatus === "A",
  };
}

/** What an authorization sends of an authentication: only a Y or A carries a value. */
export function authorizationProof(row: ThreeDSecureAuthentication | undefined): { dsTransId: string; authenticationValue: string } | undefined {
  return row?.authenticationValue && (row.transStatus === "Y" || row.transStatus === "A") ? { dsTransId: row.dsTransId, authenticationValue: row.authenticationValue } : undefined;
}

/** The shopper's pages of one authentication: its id is random (131 bits) and appears nowhere else. */
export const browserPath = (id: string, page: "challenge" | "result"): string => `/3ds/${id}/${page}`;

export type AuthenticationStep =
  /** Authorize now, with this authentication (Y, A; U carries no value). `payment` as the step left it. */
  | { kind: "proceed"; authentication: ThreeDSecureAuthentication; payment: Payment }
  /** The payment moved (a challenge awaits the shopper, or the authentication failed): this run is done. */
  | { kind: "settled" }
  /** No authentication could be had: the runner fails the attempt with this outcome (nothing was charged). */
  | { kind: "refused"; outcome: Extract<GatewayOutcome, { kind: "declined" }> };

const refused = (message: string): AuthenticationStep => ({ kind: "refused", outcome: { kind: "declined", code: AUTHENTICATION_UNAVAILABLE, declineCode: "", message } });

export interface AttemptToAuthenticate {
  attempt: PaymentAttempt;
  payment: Payment;
  card: CardDetails;
}

/** Authenticates the attempt's card for its amount at its gateway: see the top of this file. */
export async function authenticateAttempt(app: App, { attempt, payment, card }: AttemptToAuthenticate, finalTry: boolean): Promise<AuthenticationStep> {
  const base = await publicUrl(app);
  if (!base) return refused("3-D Secure needs paygraph's public URL (PUBLIC_URL) for the shopper's return; nothing was charged");
  const { outcome } = await callGateway(app, attempt, {
    op: "authenticate",
    input: { transactionId: attempt.id, amount: attempt.amount, currency: attempt.currency, card, notificationUrl: `${base}${NOTIFICATION_PATH}` },
  });
  if (outcome.kind === "transient") {
    if (!finalTry) {
      // No authorization was sent: this run's staged count is given back before the retry.
      await app.db.paymentAttempt.updateMany({ where: { id: attempt.id, status: "PENDING" }, data: { tries: { decrement: 1 } } });
      throw new TransientGatewayError(`3-D Secure: ${outcome.code}: ${outcome.message}`);
    }
    return refused(`The directory server could not be reached (${outcome.code}); nothing was charged`);
  }
  if (outcome.kind === "declined") return refused(`The directory server refused the authentication request (${outcome.code}); nothing was charged`);
  const id = newId("3ds");
  return record(app, attempt, payment, id, `${base}${browserPath(id, "challenge")}`, outcome.result);
}

function rowOf(attempt: PaymentAttempt, id: string, r: ThreeDSResult, expiresAt: Date | null): ThreeDSecureAuthentication {
  const now = new Date();
  return {
    id, merchantId: attempt.merchantId, paymentId: attempt.paymentId, attemptId: attempt.id, version: r.version, flow: r.flow,
    transStatus: r.transStatus, transStatusReason: r.transStatusReason, eci: r.eci, authenticationValue: r.authenticationValue,
    dsTransId: r.dsTransId, acsTransId: r.acsTransId, acsUrl: r.challenge?.acsUrl ?? null, creq: r.challenge?.creq ?? null,
    challengeCancel: r.challengeCancel, expiresAt, createdAt: now, updatedAt: now,
  };
}

/** The ARes, written once (a duplicate run finds the row and follows it), with the payment's change. */
async function record(app: App, attempt: PaymentAttempt, payment: Payment, id: string, redirectUrl: string, r: ThreeDSResult): Promise<AuthenticationStep> {
  const ctx: Ctx = { app, merchantId: attempt.merchantId, requestId: `job:${attempt.id}`, actor: "system:worker" };
  const row = rowOf(attempt, id, r, r.transStatus === "C" ? new Date(Date.now() + app.config.threeDSTimeoutMs) : null);
  const threeDSecure = summaryOf(row);
  let step: AuthenticationStep = { kind: "settled" };
  await relayOutbox(ctx, () =>
    app.db.$transaction(async (tx) => {
      const { count } = await tx.threeDSecureAuthentication.createMany({ data: [row], skipDuplicates: true });
      if (count === 0) {
        // Another run of this attempt recorded it first: go on as it did.
        const known = await tx.threeDSecureAuthentication.findUniqueOrThrow({ where: { attemptId: attempt.id } });
        const current = await tx.payment.findFirstOrThrow({ where: { id: attempt.paymentId, merchantId: attempt.merchantId } });
        step = PROCEEDS.includes(known.transStatus) && current.status === "PROCESSING" ? { kind: "proceed", authentication: known, payment: current } : { kind: "settled" };
        return;
      }
      if (PROCEEDS.includes(r.transStatus)) {
        // Only while the attempt is still this run's to finish (a stale duplicate run stops here).
        const live = await tx.paymentAttempt.updateMany({ where: { id: attempt.id, status: "PENDING" }, data: { updatedAt: new Date() } });
        if (live.count !== 1) return;
        const after = await transitionPayment(tx, ctx, payment.id, { kind: "authenticated", threeDSecure }, { read: payment });
        step = { kind: "proceed", authentication: row, payment: after };
        return;
      }
      // The attempt never reached its authorization: its staged count is given back.
      const waits = r.transStatus === "C";
      const { count: held } = await tx.paymentAttempt.updateMany({
        where: { id: attempt.id, status: "PENDING" },
        data: waits
          ? { status: "REQUIRES_ACTION", tries: { decrement: 1 }, updatedAt: new Date() }
          : { status: "FAILED", errorCode: AUTHENTICATION_FAILED, declineCode: r.transStatusReason, errorMessage: refusalMessage(r), decision: "STOP", tries: { decrement: 1 }, updatedAt: new Date() },
      });
      if (held !== 1) return;
      await transitionPayment(tx, ctx, payment.id, waits
        ? { kind: "requiresAction", nextAction: { type: "REDIRECT_TO_URL", redirectUrl }, threeDSecure }
        : { kind: "declined", error: { code: AUTHENTICATION_FAILED, declineCode: r.transStatusReason, message: refusalMessage(r), attemptId: attempt.id }, threeDSecure }, { read: payment });
    }),
  );
  return step;
}

/** Words for a refused authentication, from its EMV status and reason. */
export function refusalMessage(r: Pick<ThreeDSResult, "transStatus" | "transStatusReason" | "challengeCancel">): string {
  if (r.challengeCancel === "01") return "The shopper cancelled the 3-D Secure challenge";
  if (r.transStatus === "R") return "The issuer rejected the authentication: do not retry this card";
  if (r.transStatus === "U") return "The issuer could not authenticate the card";
  return r.transStatusReason === "01" ? "The card could not be authenticated (3-D Secure failed)" : `The card was not authenticated (3-D Secure ${r.transStatus}${r.transStatusReason ? `, reason ${r.transStatusReason}` : ""})`;
}

export const authenticationColumns = Prisma.ThreeDSecureAuthenticationScalarFieldEnum;
