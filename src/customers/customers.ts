// Customers: create, update, soft-delete. Each change and its audit record commit together.
import type { Customer } from "../generated/prisma/client.js";
import type { Ctx } from "../app/app.js";
import { recordAudit } from "../audit/audit.js";
import { badInput } from "../platform/errors.js";
import { newId } from "../platform/ids.js";
import { validateMetadata } from "../platform/metadata.js";
import { getCustomer } from "./customer.data.js";

export interface CustomerFields {
  email?: string | null;
  name?: string | null;
  description?: string | null;
  metadata?: Record<string, unknown> | null;
}

// A pragmatic shape check (one @, no spaces, a dot in the domain): mail servers are the real judge.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function text(value: string | null | undefined, field: string, max: number): string | null | undefined {
  if (value === undefined || value === null) return value;
  const trimmed = value.trim();
  if (trimmed.length > max) throw badInput(`${field} may be at most ${max} characters`, field);
  return trimmed === "" ? null : trimmed;
}

/** The fields as they will be stored; undefined: not given (an update leaves it as it is), null: cleared. */
function validated(input: CustomerFields): CustomerFields & { metadata?: Record<string, string> } {
  const email = text(input.email, "email", 254);
  if (email && !EMAIL.test(email)) throw badInput("email is not an email address", "email");
  return {
    email,
    name: text(input.name, "name", 256),
    description: text(input.description, "description", 1000),
    ...(input.metadata !== undefined ? { metadata: validateMetadata(input.metadata) } : {}),
  };
}

/** What the audit log keeps of a customer: ids and the fields the merchant gave, no card data. */
const view = (c: Customer) => ({ id: c.id, email: c.email, name: c.name, description: c.description, metadata: c.metadata ?? {} });

export async function createCustomer(ctx: Ctx, input: CustomerFields): Promise<Customer> {
  const fields = validated(input);
  return ctx.app.db.$transaction(async (tx) => {
    const customer = await tx.customer.create({
      data: {
        id: newId("cus"), merchantId: ctx.merchantId,
        email: fields.email ?? null, name: fields.name ?? null, description: fields.description ?? null, metadata: fields.metadata ?? {},
      },
    });
    await recordAudit(tx, ctx, { action: "customer.created", entityType: "customer", entityId: customer.id, after: view(customer) });
    return customer;
  });
}

/** Given fields replace the stored ones (metadata as a whole); null clears a field. */
export async function updateCustomer(ctx: Ctx, input: CustomerFields & { id: string }): Promise<Customer> {
  const fields = validated(input);
  return ctx.app.db.$transaction(async (tx) => {
    const before = await getCustomer(tx, ctx.merchantId, input.id);
    // Conditional on still being live: a concurrent delete wins, and this answers NOT_FOUND.
    const { count } = await tx.customer.updateMany({
      where: { id: before.id, merchantId: ctx.merchantId, deletedAt: null },
      data: {
        ...(fields.email !== undefined ? { email: fields.email } : {}),
        ...(fields.name !== undefined ? { name: fields.name } : {}),
        ...(fields.description !== undefined ? { description: fields.description } : {}),
        ...(fields.metadata !== undefined ? { metadata: fields.metadata } : {}),
        updatedAt: new Date(),
      },
    });
    if (count === 0) return getCustomer(tx, ctx.merchantId, input.id);
    const after = await getCustomer(tx, ctx.merchantId, input.id);
    await recordAudit(tx, ctx, { action: "customer.updated", entityType: "customer", entityId: after.id, before: view(before), after: view(after) });
    return after;
  });
}

/**
 * Soft delete: the row stays (payments keep naming it) but answers NOT_FOUND from now on, and every
 * card attached to it is detached, so none of them can pay again.
 */
export async function deleteCustomer(ctx: Ctx, id: string): Promise<{ id: string; detachedPaymentMethodIds: string[] }> {
  return ctx.app.db.$transaction(async (tx) => {
    const before = await getCustomer(tx, ctx.merchantId, id);
    const now = new Date();
    const { count } = await tx.customer.updateMany({ where: { id, merchantId: ctx.merchantId, deletedAt: null }, data: { deletedAt: now, updatedAt: now } });
    if (count === 0) await getCustomer(tx, ctx.merchantId, id); // deleted concurrently: NOT_FOUND
    const attached = await tx.savedPaymentMethod.findMany({ where: { merchantId: ctx.merchantId, customerId: id, detachedAt: null }, select: { paymentMethodId: true } });
    const detachedPaymentMethodIds = attached.map((a) => a.paymentMethodId);
    await tx.savedPaymentMethod.updateMany({ where: { merchantId: ctx.merchantId, customerId: id, detachedAt: null }, data: { detachedAt: now } });
    await recordAudit(
      tx, ctx,
      { action: "customer.deleted", entityType: "customer", entityId: id, before: view(before), after: { id, deleted: true, detachedPaymentMethodIds } },
      ...detachedPaymentMethodIds.map((pm) => ({ action: "payment_method.detached", entityType: "payment_method", entityId: pm, before: { customerId: id }, after: { customerId: null } })),
    );
    return { id, detachedPaymentMethodIds };
  });
}
