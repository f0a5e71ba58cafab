// Reads of refunds, scoped by merchant.
import type { Refund } from "../generated/prisma/client.js";
import type { Db } from "../platform/db.js";
import { notFound } from "../platform/errors.js";

export async function getRefund(db: Db, merchantId: string, id: string): Promise<Refund> {
  const refund = await db.refund.findFirst({ where: { id, merchantId } });
  if (!refund) throw notFound("refund", id);
  return refund;
}
