// Reads of customers and their saved cards, always scoped by the merchant: another merchant's id
// (or a deleted customer's) is simply not found.
import type { Customer, PaymentMethod, SavedPaymentMethod } from "../generated/prisma/client.js";
import type { Tx } from "../platform/db.js";
import { AppError, ErrorCode } from "../platform/errors.js";
import { planPage, type Page, type PageArgs } from "../platform/pagination.js";

/** NOT_FOUND that names the input field it came from, so a client can point at it. */
export const missing = (what: string, id: string, field: string): AppError =>
  new AppError(ErrorCode.NOT_FOUND, `No such ${what}: '${id}'`, { id, field });

/** A live customer of the merchant (works inside a transaction too: pass its `tx`). */
export async function getCustomer(db: Tx, merchantId: string, id: string, field = "id"): Promise<Customer> {
  const customer = await db.customer.findFirst({ where: { id, merchantId, deletedAt: null } });
  if (!customer) throw missing("customer", id, field);
  return customer;
}

export interface CustomerFilter {
  email?: string | null;
}

/** Newest first, stable by (createdAt, id), as payments are. Deleted customers are left out. */
export async function listCustomers(
  db: Tx, merchantId: string, args: PageArgs & { filter?: CustomerFilter | null },
): Promise<Page<Customer>> {
  const plan = planPage(args);
  const email = args.filter?.email?.trim();
  const rows = await db.customer.findMany({
    where: {
      merchantId,
      deletedAt: null,
      ...(email ? { email: { equals: email, mode: "insensitive" as const } } : {}),
      ...plan.where,
    },
    orderBy: plan.orderBy,
    take: plan.take,
  });
  return plan.finish(rows);
}

/** The most cards `Customer.paymentMethods` lists; a customer rarely keeps more than a few. */
export const MAX_SAVED_CARDS_LISTED = 100;

/** The cards attached (and not detached) to each of `customerIds`, oldest first: one query for them all. */
export async function savedCardsOf(db: Tx, merchantId: string, customerIds: readonly string[]): Promise<Map<string, PaymentMethod[]>> {
  const saved = await db.savedPaymentMethod.findMany({
    where: { merchantId, customerId: { in: [...customerIds] }, detachedAt: null },
    orderBy: [{ createdAt: "asc" }, { paymentMethodId: "asc" }],
  });
  const methods = await db.paymentMethod.findMany({ where: { merchantId, id: { in: saved.map((s) => s.paymentMethodId) } } });
  const byId = new Map(methods.map((m) => [m.id, m]));
  const out = new Map<string, PaymentMethod[]>(customerIds.map((id) => [id, []]));
  for (const s of saved) {
    const list = out.get(s.customerId ?? "");
    const method = byId.get(s.paymentMethodId);
    if (list && method && list.length < MAX_SAVED_CARDS_LISTED) list.push(method);
  }
  return out;
}

/** A vaulted card of the merchant, with its saved-card row when it has one. */
export async function getPaymentMethod(db: Tx, merchantId: string, id: string, field = "paymentMethodId"): Promise<{ method: PaymentMethod; saved: SavedPaymentMethod | null }> {
  const method = await db.paymentMethod.findFirst({ where: { id, merchantId } });
  if (!method) throw missing("payment method", id, field);
  const saved = await db.savedPaymentMethod.findUnique({ where: { paymentMethodId: id } });
  return { method, saved: saved && saved.merchantId === merchantId ? saved : null };
}
