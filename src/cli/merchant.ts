// `paygraph merchant create`: a merchant, its first secret key and (optionally) its first OWNER,
// written in one transaction. Needs the database only, so it loads only what writes those rows:
// the tests create hundreds of merchants this way.
import { loadConfig } from "../config.js";
import { createMerchant } from "../merchants/merchants.js";
import { createDb } from "../platform/db.js";
import { insertOwner, prepareOwner, rethrowEmailTaken } from "../users/owner.js";
import { fail, say } from "./io.js";
import { ready } from "./ready.js";

export interface MerchantFlags { name?: string; admin?: boolean; json?: boolean; "owner-email"?: string; "owner-password"?: string; "owner-name"?: string }

export async function createMerchantCommand(values: MerchantFlags): Promise<void> {
  if (!values.name) fail("merchant create needs --name NAME");
  const config = loadConfig();
  await ready(config);
  const { db, pool } = createDb(config.databaseUrl, 2, false);
  try {
    const role = values.admin ? "ADMIN" : "MERCHANT";
    // The first OWNER (nobody can invite the first user); checked before the merchant is written.
    const ownerEmail = values["owner-email"];
    const ownerPassword = values["owner-password"];
    if ((ownerEmail === undefined) !== (ownerPassword === undefined)) fail("--owner-email and --owner-password go together");
    const owner = ownerEmail !== undefined && ownerPassword !== undefined ? { email: ownerEmail, password: ownerPassword, name: values["owner-name"] } : undefined;
    const prepared = owner ? await prepareOwner(db, owner).catch((err: unknown) => fail(err instanceof Error ? err.message : String(err))) : undefined;
    let user: { id: string; email: string } | undefined;
    const made = await createMerchant(db, values.name, role, "cli", prepared ? async (tx, merchantId) => (user = await insertOwner(tx, merchantId, prepared)) : undefined)
      .catch(rethrowEmailTaken);
    const created = { ...made, role, ...(user ? { ownerUserId: user.id, ownerEmail: user.email } : {}) };
    say(values.json ? JSON.stringify(created)
      : `merchant ${created.merchantId}\nsecret key ${created.secretKey}${values.admin ? " (admin)" : ""}${user ? `\nowner ${user.email} (${user.id}): sign in with the signIn mutation` : ""}`);
  } finally {
    await db.$disconnect();
    await pool.end().catch(() => undefined);
  }
}
