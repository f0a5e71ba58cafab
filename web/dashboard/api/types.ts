// The shapes the views use, named once: each is the generated type of a dashboard operation
// (schema/operations/dashboard.graphql, typed by graphql-codegen into @paygraph/client), so a
// schema change that breaks a view fails `tsc -p web`.
import type {
  DashboardMeQuery, DashboardPaymentEventsQuery, DashboardPaymentQuery, DashboardPaymentRefundsQuery, DashboardPaymentRowFragment,
  DashboardWebhookDeliveriesQuery, DashboardWebhookEndpointsQuery, DashboardWebhookEventsQuery, PaymentStatus,
} from "@paygraph/client";

export type { PaymentStatus };

export const PAYMENT_STATUSES: readonly PaymentStatus[] = [
  "REQUIRES_PAYMENT_METHOD", "PROCESSING", "REQUIRES_ACTION", "REQUIRES_REVIEW", "AUTHORIZED",
  "CAPTURED", "PARTIALLY_REFUNDED", "REFUNDED", "CANCELED", "FAILED",
];

export interface Money { amount: string; currency: string }

export type User = DashboardMeQuery["me"];
export type PaymentRow = DashboardPaymentRowFragment;

type Detail = NonNullable<DashboardPaymentQuery["payment"]>;
/** A payment's page: its details, refunds and history, read by three queries (use-payment.ts). */
export type PaymentDetail = Detail & Pick<NonNullable<DashboardPaymentRefundsQuery["payment"]>, "refunds"> & Pick<NonNullable<DashboardPaymentEventsQuery["payment"]>, "events">;
export type Attempt = Detail["attempts"]["nodes"][number];

export type WebhookEvent = DashboardWebhookEventsQuery["webhookEvents"]["nodes"][number];
export type WebhookEndpoint = DashboardWebhookEndpointsQuery["webhookEndpoints"]["nodes"][number];
export type WebhookDelivery = DashboardWebhookDeliveriesQuery["webhookDeliveries"]["nodes"][number];
