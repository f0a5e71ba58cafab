// Per-request DataLoaders for customers and saved cards: a page of customers (or payments) asking
// for their cards (or customer) costs one query per kind, not one per row. Kept beside the request's
// GqlContext in a WeakMap, so they live and die with the request without a field in the context.
import DataLoader from "dataloader";
import type { Customer, PaymentMethod, SavedPaymentMethod } from "../generated/prisma/client.js";
import { merchantCtx, type GqlContext } from "../app/graphql-context.js";
import { savedCardsOf } from "./customer.data.js";

export interface CustomerLoaders {
  /** Live customers by id (null: deleted or not the merchant's). */
  customers: DataLoader<string, Customer | null>;
  /** Attached, not detached cards by customer id, oldest first. */
  savedCards: DataLoader<string, PaymentMethod[]>;
  /** Saved-card rows by payment method id. */
  saved: DataLoader<string, SavedPaymentMethod | null>;
}

const perRequest = new WeakMap<GqlContext, CustomerLoaders>();

export function customerLoaders(context: GqlContext): CustomerLoaders {
  let loaders = perRequest.get(context);
  if (loaders) return loaders;
  const { merchantId, app } = merchantCtx(context);
  const db = app.db;
  const byKey = <T>(ids: readonly string[], rows: T[], key: (row: T) => string): (T | null)[] => {
    const map = new Map(rows.map((r) => [key(r), r]));
    return ids.map((id) => map.get(id) ?? null);
  };
  loaders = {
    customers: new DataLoader(async (ids) => byKey(ids, await db.customer.findMany({ where: { merchantId, deletedAt: null, id: { in: [...ids] } } }), (c) => c.id)),
    savedCards: new DataLoader(async (ids) => {
      const cards = await savedCardsOf(db, merchantId, ids);
      return ids.map((id) => cards.get(id) ?? []);
    }),
    saved: new DataLoader(async (ids) =>
      byKey(ids, await db.savedPaymentMethod.findMany({ where: { merchantId, paymentMethodId: { in: [...ids] } } }), (s) => s.paymentMethodId)),
  };
  perRequest.set(context, loaders);
  return loaders;
}
