// Challenges nobody finished: past THREEDS_TIMEOUT_SECONDS, each is settled with what the directory
// server says by then (a shopper who authenticated but never came back still pays), or abandoned.
// Run by the worker on the reconciler's schedule.
import type { App } from "../../app/app.js";
import { settleChallenge } from "./challenge.js";

const BATCH = 100;

export async function settleExpiredChallenges(app: App, now = new Date()): Promise<number> {
  const open = await app.db.threeDSecureAuthentication.findMany({ where: { transStatus: "C", expiresAt: { lt: now } }, select: { id: true }, take: BATCH });
  for (const { id } of open) await settleChallenge(app, id, { expired: true });
  return open.length;
}
