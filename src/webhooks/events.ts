// Webhook events. An event is not a second copy of anything: it is the audit record of a payment's
// or a refund's change (every change writes one, in the statement or transaction that makes it),
// seen by a receiver. `evt_X` is the audit record `aud_X`; its type follows from the record, its
// `data.object` is the record's snapshot rendered as the API shows it. So an event exists exactly
// when its change committed, costs no row of its own, and is kept as long as the audit log
// (always: at least the 30 days receivers are promised).
import { Prisma } from "../generated/prisma/client.js";
import type { Db } from "../platform/db.js";
import { badInput, notFound } from "../platform/errors.js";
import { emptyPage, planPage, type Page, type PageArgs } from "../platform/pagination.js";
import { PaymentStatus } from "../generated/prisma/enums.js";
import { paymentFromJson } from "../payments/payment.snapshot.js";
import { paymentResource, type Json } from "../payments/payment.resource.js";
import { refundResource, type RefundFacts } from "../refunds/refund.resource.js";

export const TEST_PING = "test.ping";
/** The audit action of `sendTestWebhookEvent`: its record is the `test.ping` event. */
export const TEST_PING_ACTION = "webhook_endpoint.test_ping";
const REFUND_TYPES = ["refund.created", "refund.succeeded", "refund.failed"];
/** An alert's transitions (src/alerts): sent only to the endpoints its rule names as WEBHOOK channels. */
export const ALERT_TYPES = ["alert.firing", "alert.resolved"];
/** A hosted checkout session's ends (src/checkout). */
export const CHECKOUT_SESSION_TYPES = ["checkout_session.completed", "checkout_session.expired"];

/** Every event type, for validating an endpoint's `events`. */
export const EVENT_TYPES: readonly string[] = [
  "payment.created", "payment.updated",
  ...Object.values(PaymentStatus).map((s) => `payment.${s.toLowerCase()}`),
  ...REFUND_TYPES, ...ALERT_TYPES, ...CHECKOUT_SESSION_TYPES, TEST_PING,
];

/**
 * A payment's event type: `payment.created` for its creation, `payment.<new status>` when its
 * status changed, `payment.updated` when it kept it (a second partial refund): a receiver never
 * sees the same status event twice in a row for one payment. `eventTypeSql` is the same rule.
 */
export function paymentEventType(fromStatus: string | null, toStatus: string): string {
  if (fromStatus === null) return "payment.created";
  return fromStatus === toStatus ? "payment.updated" : `payment.${toStatus.toLowerCase()}`;
}

/** `paymentEventType` over audit_record's columns, for filtering by type in SQL. */
const eventTypeSql = Prisma.sql`(CASE
  WHEN entity_type = 'payment' AND before IS NULL THEN 'payment.created'
  WHEN entity_type = 'payment' AND before->>'status' = after->>'status' THEN 'payment.updated'
  WHEN entity_type = 'payment' THEN 'payment.' || lower(after->>'status')
  WHEN action = ${TEST_PING_ACTION} THEN ${TEST_PING}
  ELSE action END)`;

export const eventIdOf = (auditRecordId: string): string => `evt_${auditRecordId.slice("aud_".length)}`;
const auditIdOf = (eventId: string): string | undefined => (/^evt_[0-9A-Za-z]{8,64}$/.test(eventId) ? `aud_${eventId.slice(4)}` : undefined);

/** The object types a caller may read events of, from its scopes (payments:read, refunds:read, alerts:read, webhooks:read). */
export type EventObjectType = "payment" | "refund" | "alert" | "webhook_endpoint" | "checkout_session";
export const OBJECT_SCOPES: Record<EventObjectType, string> = { payment: "payments:read", refund: "refunds:read", alert: "alerts:read", webhook_endpoint: "webhooks:read", checkout_session: "payments:read" };

export interface WebhookEvent {
  id: string;
  type: string;
  createdAt: Date;
  objectType: EventObjectType;
  objectId: string;
  /** `data` of the delivered body: `{ object }`. */
  data: { object: Json };
}

interface EventRow {
  id: string;
  entity_type: string;
  entity_id: string;
  action: string;
  type: string;
  after: unknown;
  created_at: Date;
}

const EVENT_WHERE = Prisma.sql`(entity_type IN ('payment', 'refund') AND after IS NOT NULL OR action = ${TEST_PING_ACTION} OR entity_type = 'alert' AND action = ANY(${ALERT_TYPES}::text[]) OR entity_type = 'checkout_session' AND action = ANY(${CHECKOUT_SESSION_TYPES}::text[]))`;
const selectEvents = Prisma.sql`SELECT id, entity_type, entity_id, action, ${eventTypeSql} AS type, after, created_at FROM audit_record`;

function toEvent(row: EventRow): WebhookEvent {
  const objectType = row.entity_type as EventObjectType;
  const object: Json = objectType === "payment"
    ? paymentResource(paymentFromJson(row.after))
    : objectType === "refund"
      ? refundResource(row.after as RefundFacts)
      : objectType === "alert" || objectType === "checkout_session"
        ? (row.after as Json) // as it stood at the transition (alertResource, checkoutSessionResource)
        : { object: "webhook_endpoint", id: row.entity_id };
  return { id: eventIdOf(row.id), type: row.type, createdAt: row.created_at, objectType, objectId: row.entity_id, data: { object } };
}

/** The body every delivery of the event sends, byte for byte the same on every retry. */
export function eventBody(event: WebhookEvent): string {
  return JSON.stringify({ id: event.id, type: event.type, createdAt: event.createdAt.toISOString(), data: event.data });
}

/** One event of the merchant's, or undefined (no such event, or not an event). */
export async function findEvent(db: Db, merchantId: string, eventId: string): Promise<WebhookEvent | undefined> {
  const auditId = auditIdOf(eventId);
  if (!auditId) return undefined;
  const [row] = await db.$queryRaw<EventRow[]>`${selectEvents} WHERE id = ${auditId} AND merchant_id = ${merchantId} AND ${EVENT_WHERE}`;
  return row ? toEvent(row) : undefined;
}

export async function getEvent(db: Db, merchantId: string, eventId: string): Promise<WebhookEvent> {
  const event = await findEvent(db, merchantId, eventId);
  if (!event) throw notFound("webhook event", eventId);
  return event;
}

export interface EventFilter {
  type?: string | null;
  objectId?: string | null;
  from?: Date | null;
  to?: Date | null;
}

/** Newest first, only of the object types the caller may read. */
export async function listEvents(
  db: Db, merchantId: string, objectTypes: EventObjectType[], args: PageArgs & { filter?: EventFilter | null },
): Promise<Page<WebhookEvent>> {
  const plan = planPage(args);
  const f = args.filter ?? {};
  if (f.type && !EVENT_TYPES.includes(f.type)) throw badInput(`Unknown event type '${f.type.slice(0, 60)}'`, "filter.type");
  if (objectTypes.length === 0) return emptyPage();
  const cursor = plan.cursor && { createdAt: plan.cursor.createdAt, id: auditIdOf(plan.cursor.id) ?? "" };
  const conditions = [
    Prisma.sql`merchant_id = ${merchantId}`, EVENT_WHERE, Prisma.sql`entity_type = ANY(${objectTypes}::text[])`,
    ...(f.type ? [Prisma.sql`${eventTypeSql} = ${f.type}`] : []),
    ...(f.objectId ? [Prisma.sql`entity_id = ${f.objectId}`] : []),
    ...(f.from ? [Prisma.sql`created_at >= ${f.from}`] : []),
    ...(f.to ? [Prisma.sql`created_at < ${f.to}`] : []),
    ...(cursor && !plan.backward ? [Prisma.sql`(created_at, id) < (${cursor.createdAt}, ${cursor.id})`] : []),
    ...(cursor && plan.backward ? [Prisma.sql`(created_at, id) > (${cursor.createdAt}, ${cursor.id})`] : []),
  ];
  const order = plan.backward ? Prisma.sql`ORDER BY created_at ASC, id ASC` : Prisma.sql`ORDER BY created_at DESC, id DESC`;
  const rows = await db.$queryRaw<EventRow[]>`${selectEvents} WHERE ${Prisma.join(conditions, " AND ")} ${order} LIMIT ${plan.take}`;
  return plan.finish(rows.map(toEvent));
}

/** Events of the merchant's in [from, to), oldest first, of every type an endpoint takes: what a replay sends. */
export async function eventsBetween(db: Db, merchantId: string, from: Date, to: Date, limit: number): Promise<{ id: string; type: string }[]> {
  const rows = await db.$queryRaw<{ id: string; type: string }[]>`
    SELECT id, ${eventTypeSql} AS type FROM audit_record
    WHERE merchant_id = ${merchantId} AND entity_type IN ('payment', 'refund') AND after IS NOT NULL AND created_at >= ${from} AND created_at < ${to}
    ORDER BY created_at, id LIMIT ${limit}`;
  return rows.map((r) => ({ id: eventIdOf(r.id), type: r.type }));
}
