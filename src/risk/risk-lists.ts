// A merchant's allow and block lists, and reportFraud. An entry names a card (by the vault's keyed
// fingerprint: the same card on any payment), an email or an IP address (by keyed digests: never
// stored in the clear), or a customer. A subject is on one list at most: adding it to the other
// moves it. The risk step looks every subject of a confirmation up in one query (assess.ts).
// reportFraud keeps the payment's features as a labelled example for the next training and puts
// its card and email on the block list.
import type { Ctx } from "../app/app.js";
import type { Payment, Prisma, RiskListEntry } from "../generated/prisma/client.js";
import type { RiskList, RiskListSubject } from "../generated/prisma/enums.js";
import { recordAudit } from "../audit/audit.js";
import { getCustomer } from "../customers/customer.data.js";
import { AppError, ErrorCode, badInput, notFound } from "../platform/errors.js";
import { newId } from "../platform/ids.js";
import { NEWEST_FIRST, planPage, type Page, type PageArgs } from "../platform/pagination.js";
import type { Tx } from "../platform/db.js";
import { fingerprint, type Vault } from "../vault/vault.js";
import type { Risk } from "./decide.js";
import { checkShopper } from "./shopper.js";
import { ipForVelocity } from "./velocity.js";

export type { RiskListEntry };

/** What the risk step keeps of a confirmation's shopper, to list them later (reportFraud). */
export interface ShopperSubjects {
  email: { key: string; label: string } | null;
  ip: { key: string; label: string } | null;
}

/** `j•••@shop.example`: enough for a person to recognise, not the address. */
export const emailLabel = (email: string): string => `${email.slice(0, 1)}•••${email.slice(email.indexOf("@"))}`;

/** `203.0.113.•` or `2001:db8:•::/64` (from ipForVelocity's form): the network, not the address. */
const ipLabel = (counted: string): string =>
  counted.includes(":") ? `${counted.split(":").slice(0, 2).join(":")}:•::/64` : `${counted.split(".").slice(0, 3).join(".")}.•`;

/** The keyed digests (per merchant, not reversible) an email and an IP address are counted and listed by. */
export async function shopperSubjects(vault: Vault, merchantId: string, shopper: { email: string | null; ip: string | null } | null): Promise<ShopperSubjects> {
  const ip = shopper?.ip ? ipForVelocity(shopper.ip) : null;
  const [emailKey, ipKey] = await Promise.all([
    shopper?.email ? fingerprint(vault, merchantId, `email:${shopper.email}`) : null,
    ip ? fingerprint(vault, merchantId, `ip:${ip}`) : null,
  ]);
  return { email: emailKey ? { key: emailKey, label: emailLabel(shopper!.email!) } : null, ip: ipKey ? { key: ipKey, label: ipLabel(ip!) } : null };
}

export interface AddRiskListEntryInput {
  list: RiskList;
  paymentMethodId?: string | null;
  email?: string | null;
  ip?: string | null;
  customerId?: string | null;
  reason?: string | null;
}

type Subject = { subject: RiskListSubject; value: string; label: string };

async function subjectOf(ctx: Ctx, input: AddRiskListEntryInput): Promise<Subject> {
  const given = (["paymentMethodId", "email", "ip", "customerId"] as const).filter((k) => input[k]?.trim());
  if (given.length !== 1) throw badInput("Give exactly one of paymentMethodId, email, ip and customerId", given[1] ?? "paymentMethodId");
  const which = given[0]!;
  const value = input[which]!.trim();
  if (which === "paymentMethodId") {
    const method = await ctx.app.db.paymentMethod.findFirst({ where: { id: value, merchantId: ctx.merchantId } });
    if (!method) throw notFound("payment method", value);
    return { subject: "CARD", value: method.fingerprint, label: `${method.brand} •••• ${method.last4}` };
  }
  if (which === "customerId") {
    const customer = await getCustomer(ctx.app.db, ctx.merchantId, value, "customerId");
    return { subject: "CUSTOMER", value: customer.id, label: customer.id };
  }
  const subjects = await shopperSubjects(ctx.app.vault, ctx.merchantId, checkShopper({ [which]: value }, ""));
  const s = which === "email" ? { subject: "EMAIL" as const, ...subjects.email! } : { subject: "IP" as const, ...subjects.ip! };
  return { subject: s.subject, value: s.key, label: s.label };
}

const checkReason = (reason: string | null | undefined): string | null => {
  const r = reason?.trim() || null;
  if (r && r.length > 500) throw badInput("reason must be at most 500 characters", "reason");
  return r;
};

const view = (e: RiskListEntry) => ({ id: e.id, list: e.list, subject: e.subject, label: e.label, reason: e.reason, paymentId: e.paymentId });

/** Puts a subject on a list (moving it from the other); audited. */
async function putOnList(tx: Tx, ctx: Ctx, list: RiskList, s: Subject, reason: string | null, paymentId: string | null): Promise<RiskListEntry> {
  const where = { merchantId_subject_value: { merchantId: ctx.merchantId, subject: s.subject, value: s.value } };
  const before = await tx.riskListEntry.findUnique({ where });
  const entry = await tx.riskListEntry.upsert({
    where, create: { id: newId("rle"), merchantId: ctx.merchantId, list, ...s, reason, paymentId },
    update: { list, label: s.label, reason, paymentId, createdAt: new Date() },
  });
  await recordAudit(tx, ctx, { action: "risk_list.entry_added", entityType: "risk_list_entry", entityId: entry.id, before: before ? view(before) : null, after: view(entry) });
  return entry;
}

export async function addRiskListEntry(ctx: Ctx, input: AddRiskListEntryInput): Promise<RiskListEntry> {
  const subject = await subjectOf(ctx, input);
  const reason = checkReason(input.reason);
  return ctx.app.db.$transaction((tx) => putOnList(tx, ctx, input.list, subject, reason, null));
}

export async function removeRiskListEntry(ctx: Ctx, id: string): Promise<RiskListEntry> {
  return ctx.app.db.$transaction(async (tx) => {
    const entry = await tx.riskListEntry.findFirst({ where: { id, merchantId: ctx.merchantId } });
    if (!entry) throw notFound("risk list entry", id);
    await tx.riskListEntry.delete({ where: { id } });
    await recordAudit(tx, ctx, { action: "risk_list.entry_removed", entityType: "risk_list_entry", entityId: id, before: view(entry), after: null });
    return entry;
  });
}

export async function listRiskListEntries(ctx: Ctx, args: PageArgs & { list?: RiskList | null }): Promise<Page<RiskListEntry>> {
  const plan = planPage(args);
  const rows = await ctx.app.db.riskListEntry.findMany({
    where: { merchantId: ctx.merchantId, ...(args.list ? { list: args.list } : {}), ...plan.where }, orderBy: plan.orderBy, take: plan.take,
  });
  return plan.finish(rows);
}

/** What the risk step stored on a payment, with what it keeps of the shopper (assess.ts). */
export type StoredRisk = Risk & { subjects?: ShopperSubjects };

/**
 * The merchant's word that a payment was fraud: its assessment is kept as a labelled example for
 * the next training, and its card and the shopper's email go on the block list. Reporting again
 * changes nothing. Nothing is refunded: a captured payment is refunded with refundPayment.
 */
export async function reportFraud(ctx: Ctx, input: { paymentId: string; reason?: string | null }): Promise<{ payment: Payment; blocked: RiskListEntry[] }> {
  const reason = checkReason(input.reason) ?? "Reported as fraud";
  return ctx.app.db.$transaction(async (tx) => {
    const payment = await tx.payment.findFirst({ where: { id: input.paymentId, merchantId: ctx.merchantId } });
    if (!payment) throw notFound("payment", input.paymentId);
    const risk = payment.risk as StoredRisk | null;
    if (!payment.paymentMethodId || !risk) {
      throw new AppError(ErrorCode.INVALID_STATE_TRANSITION, "Only a confirmed payment can be reported as fraud: this one was never paid with a card", { from: payment.status, action: "reportFraud" });
    }
    const created = await tx.fraudReport.createMany({
      data: [{ paymentId: payment.id, merchantId: ctx.merchantId, reportedBy: ctx.actor, risk: JSON.parse(JSON.stringify(risk)) as Prisma.InputJsonValue }], skipDuplicates: true,
    });
    if (created.count === 0) {
      const existing = await tx.riskListEntry.findMany({ where: { merchantId: ctx.merchantId, paymentId: payment.id }, orderBy: NEWEST_FIRST });
      return { payment, blocked: existing };
    }
    const method = await tx.paymentMethod.findFirstOrThrow({ where: { id: payment.paymentMethodId, merchantId: ctx.merchantId } });
    const subjects: Subject[] = [{ subject: "CARD", value: method.fingerprint, label: `${method.brand} •••• ${method.last4}` }];
    if (risk.subjects?.email) subjects.push({ subject: "EMAIL", value: risk.subjects.email.key, label: risk.subjects.email.label });
    const blocked: RiskListEntry[] = [];
    for (const s of subjects) blocked.push(await putOnList(tx, ctx, "BLOCK", s, reason, payment.id));
    await recordAudit(tx, ctx, { action: "payment.reported_fraud", entityType: "payment", entityId: payment.id, after: { reason, modelVersion: risk.modelVersion, score: risk.score } });
    return { payment, blocked };
  });
}
