// Merchants: created from the command line (and the demo merchant on an empty database).
import type { Db, Tx } from "../platform/db.js";
import { badInput } from "../platform/errors.js";
import { newId } from "../platform/ids.js";
import { randomUUID } from "node:crypto";
import { insertKey, type ApiKeyRole } from "./api-keys.js";
import { recordAudit } from "../audit/audit.js";
import { apiKeyView } from "../audit/views.js";

/**
 * A merchant and its first key; an ADMIN key may also change platform-wide settings (exchange
 * rates). Both are the first records of the merchant's audit log, by `actor` (`cli` for
 * `paygraph merchant create`, `system:bootstrap` for the demo merchant).
 */
/**
 * A merchant and its first secret key, and whatever `within` adds (its OWNER user) in the same
 * transaction: all of it or none.
 */
export async function createMerchant(
  db: Db, name: string, role: ApiKeyRole = "MERCHANT", actor = "cli", within?: (tx: Tx, merchantId: string) => Promise<unknown>,
): Promise<{ merchantId: string; secretKey: string }> {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 200) throw badInput("Merchant name must be 1 to 200 characters", "name");
  return db.$transaction(async (tx) => {
    const merchant = await tx.merchant.create({ data: { id: newId("mer"), name: trimmed } });
    const { row, secret } = await insertKey(tx, merchant.id, { role });
    await recordAudit(tx, { merchantId: merchant.id, actor, requestId: `${actor}:${randomUUID()}` },
      { action: "merchant.created", entityType: "merchant", entityId: merchant.id, after: { id: merchant.id, name: merchant.name } },
      { action: "api_key.created", entityType: "api_key", entityId: row.id, after: apiKeyView(row) });
    await within?.(tx, merchant.id);
    return { merchantId: merchant.id, secretKey: secret };
  });
}

/** On an empty database, a demo merchant whose key the start command prints. */
export async function ensureDemoMerchant(db: Db, within?: (tx: Tx, merchantId: string) => Promise<unknown>): Promise<{ merchantId: string; secretKey: string } | undefined> {
  if ((await db.merchant.count()) > 0) return undefined;
  return createMerchant(db, "Demo merchant", "MERCHANT", "system:bootstrap", within);
}
