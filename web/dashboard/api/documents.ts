// The dashboard's GraphQL documents. Plain strings (no DOM, no codegen step) so that a unit test
// (test/unit/dashboard-documents.test.ts) can validate every one against schema/schema.graphql:
// a schema change that breaks the dashboard fails there, not in a browser.

const USER = "userId merchantId name email role scopes";

export const SIGN_IN = `mutation DashboardSignIn($input: SignInInput!) {
  signIn(input: $input) { token expiresAt user { ${USER} } }
}`;

export const SIGN_OUT = `mutation DashboardSignOut { signOut { revoked } }`;

export const ME = `query DashboardMe { me { ${USER} } }`;

const ROW = `id status version createdAt description
  amount { amount currency } amountCaptured { amount } amountRefunded { amount }
  card { brand last4 } attempts(last: 1) { nodes { gateway } }`;

export const PAYMENTS = `query DashboardPayments($first: Int, $after: String, $last: Int, $before: String, $filter: PaymentFilterInput) {
  payments(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
    edges { cursor node { ${ROW} } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

/** Re-reads rows already on screen after a reconnect: their status may have moved meanwhile. */
export const PAYMENT_ROWS = `query DashboardPaymentRows($ids: [ID!]!) {
  nodes(ids: $ids) { ... on Payment { ${ROW} } }
}`;

/** Every payment of the merchant as it changes (no paymentId): new ones and every new version. */
export const PAYMENTS_LIVE = `subscription DashboardPaymentsLive { paymentUpdated { ${ROW} } }`;

const MONEY = "amount currency";

// The API's cost limit (GRAPHQL_MAX_COST, 5000) counts each nested connection heavily, so a
// payment's page reads in three requests made at once: the payment with its attempts, its
// refunds, its history.
const DETAIL = `id status version createdAt updatedAt description captureMethod
  amount { ${MONEY} } amountCapturable { ${MONEY} } amountCaptured { ${MONEY} }
  amountRefunded { ${MONEY} } amountRefundPending { ${MONEY} }
  card { brand last4 expMonth expYear country }
  lastPaymentError { code declineCode message }
  settlement { amount { ${MONEY} } rate rateSource }
  threeDSecure { version flow transStatus transStatusReason eci liabilityShifted }
  risk { score level outcome decidedBy modelVersion reasons { code message points source } }
  attempts(first: 100) { nodes { id gateway status routingReason errorCode declineCode errorMessage latencyMs tries createdAt } }`;

export const PAYMENT = `query DashboardPayment($id: ID!) { payment(id: $id) { ${DETAIL} } }`;
export const PAYMENT_REFUNDS = `query DashboardPaymentRefunds($id: ID!) {
  payment(id: $id) { id refunds(first: 100) { nodes { id amount { ${MONEY} } status reason failureCode createdAt } } }
}`;
export const PAYMENT_EVENTS = `query DashboardPaymentEvents($id: ID!) {
  payment(id: $id) { id events(first: 100) { nodes { id type fromStatus toStatus version requestId createdAt } } }
}`;

/** The one payment as it changes: the page re-reads its details on each version. */
export const PAYMENT_LIVE = `subscription DashboardPaymentLive($id: ID!) { paymentUpdated(paymentId: $id) { id version status } }`;

export const CAPTURE = `mutation DashboardCapture($input: CapturePaymentInput!) { capturePayment(input: $input) { payment { id status version } } }`;
export const CANCEL = `mutation DashboardCancel($input: CancelPaymentInput!) { cancelPayment(input: $input) { payment { id status version } } }`;
export const REFUND = `mutation DashboardRefund($input: RefundPaymentInput!) { refundPayment(input: $input) { refund { id status amount { ${MONEY} } } } }`;

export const WEBHOOK_EVENTS = `query DashboardWebhookEvents($objectId: ID!) {
  webhookEvents(first: 50, filter: { objectId: $objectId }) { nodes { id type createdAt } }
}`;

export const WEBHOOK_ENDPOINTS = `query DashboardWebhookEndpoints { webhookEndpoints(first: 10) { nodes { id url enabled } } }`;

/** One endpoint's latest deliveries (one request each: two in one would pass the cost limit). */
export const WEBHOOK_DELIVERIES = `query DashboardWebhookDeliveries($endpointId: ID!) {
  webhookDeliveries(endpointId: $endpointId, first: 100) { nodes { id eventId attempt status responseStatus latencyMs error nextRetryAt createdAt } }
}`;
