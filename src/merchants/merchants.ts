// Merchants: created from the command line (and the demo merchant on an empty database).
import type { Db } from "../platform/db.js";
import { badInput } from "../platform/errors.js";
import { newId } from "../platform/ids.js";
import { issueSecretKey, type ApiKeyRole } from "./api-keys.js";

/** A merchant and its first key; an ADMIN key may also change platform-wide settings (exchange rates). */
export async function createMerchant(db: Db, name: string, role: ApiKeyRole = "MERCHANT"): Promise<{ merchantId: string; secretKey: string }> {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 200) throw badInput("Merchant name must be 1 to 200 characters", "name");
  const merchant = await db.merchant.create({ data: { id: newId("mer"), name: trimmed } });
  return { merchantId: merchant.id, secretKey: await issueSecretKey(db, merchant.id, role) };
}

/** On an empty database, a demo merchant whose key the start command prints. */
export async function ensureDemoMerchant(db: Db): Promise<{ merchantId: string; secretKey: string } | undefined> {
  if ((await db.merchant.count()) > 0) return undefined;
  return createMerchant(db, "Demo merchant");
}
