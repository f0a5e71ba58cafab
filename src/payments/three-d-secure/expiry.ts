// Challenges nobody finished: past THREEDS_TIMEOUT_SECONDS, each is settled with what the directory
// server says by then (a shopper who authenticated but never came back still pays), or abandoned.
// Run by the worker on the reconciler's schedule.
import type { App } from "../../app/app.js";
import { settleChallenge } from "./challenge.js";

const BATCH = 100;

export async function settleExpiredChallenges(app: App, now = new Date()): Promise<number> {
  const open = await app.db.threeDSecureAuthentication.findMany({ where: { transStatus: "C", expiresAt: { lt: now } }, select: { id: true }, orderBy: { expiresAt: "asc" }, take: BATCH });
  let settled = 0;
  for (const { id } of open) {
    // One that cannot be settled now (its gateway account gone, a database error) must not hold up the others.
    await settleChallenge(app, id, { expired: true }).then(() => settled++, (err: unknown) => app.log.warn({ err, id }, "3-D Secure challenge past its time could not be settled; will retry"));
  }
  return settled;
}
