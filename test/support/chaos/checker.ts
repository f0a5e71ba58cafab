// The chaos run's invariant checker: pure, over what the run collected once the storm is over —
// paygraph's rows, both sandbox ledgers (the gateways' own books), every answer callers were given,
// the versions a merchant-wide subscriber received, and the audit chain's verdict. Each rule names
// the payments that break it; test/unit/chaos-checker.test.ts feeds it hand-made bad data so a
// green chaos run means something. Amounts are minor units (bigint); the run uses one currency.

export interface DbPayment {
  id: string;
  status: string;
  version: number;
  captureMethod: "AUTOMATIC" | "MANUAL";
  amount: bigint;
  amountCaptured: bigint;
  amountRefunded: bigint;
  amountRefundPending: bigint;
}
export interface DbAttempt { id: string; paymentId: string; gateway: string; status: string }
export interface DbRefund { id: string; paymentId: string; status: string; amount: bigint }
export interface DbOperation { id: string; paymentId: string; kind: "CAPTURE" | "VOID"; status: string; amount: bigint }

/** A sandbox ledger entry (GET /ledger), tagged with the gateway (account name) that kept it. */
export interface LedgerCharge {
  gateway: string;
  idempotencyKey: string;
  status: string;
  amount: bigint;
  amountCaptured: bigint;
  amountRefunded: bigint;
  refunds: { idempotencyKey: string; amount: bigint }[];
}

export type CallOp = "createPayment" | "confirmPayment" | "capturePayment" | "cancelPayment" | "refundPayment";

/** One logical request as its caller saw it, after all its retries under one idempotency key. */
export interface CallRecord {
  op: CallOp;
  key: string;
  paymentId: string | undefined;
  /** ok: an answer with data; error: a final (non-retryable) error; gave-up: retries exhausted. */
  outcome: "ok" | "error" | "gave-up";
  code?: string;
  tries: number;
  /** What an ok answer said (the payment part of it, and the refund for refundPayment). */
  payment?: { id: string; status: string; version: number; amountCaptured: bigint; amountRefunded: bigint };
  refund?: { id: string; amount: bigint };
}

export interface ChaosSnapshot {
  payments: DbPayment[];
  attempts: DbAttempt[];
  refunds: DbRefund[];
  operations: DbOperation[];
  ledger: LedgerCharge[];
  calls: CallRecord[];
  /** Versions the subscriber received per payment (live, or from its own resync after a reconnect). */
  received: Map<string, Set<number>>;
  audit: { ok: boolean; detail?: string };
  /** Processes that died without being killed by the fault injector. */
  unexpectedExits: { role: string; code: number | null; signal: string | null }[];
}

export type Rule =
  | "acked-capture" | "acked-cancel" | "acked-refund" | "converged" | "ledger-mismatch" | "charged-twice"
  | "unknown-charge" | "over-refunded" | "stuck" | "missed-version" | "audit-chain" | "process-exit";

export interface Violation { rule: Rule; paymentId?: string; detail: string }

const SETTLED_CAPTURE = new Set(["CAPTURED", "PARTIALLY_REFUNDED", "REFUNDED"]);

/** The ledger status a payment's winning charge must have, from the payment's status. */
function expectedChargeStatus(p: DbPayment): string | undefined {
  if (SETTLED_CAPTURE.has(p.status)) return "captured";
  if (p.status === "AUTHORIZED") return "authorized";
  if (p.status === "CANCELED") return "voided";
  return undefined;
}

/** A charge that holds the shopper's money: not declined, not voided, not given back by a release. */
function isLive(c: LedgerCharge): boolean {
  if (c.status !== "authorized" && c.status !== "captured") return false;
  const released = c.refunds.some((r) => r.idempotencyKey === `${c.idempotencyKey}:release`);
  return !(released && c.amountRefunded >= c.amountCaptured);
}

export function checkInvariants(s: ChaosSnapshot): Violation[] {
  const out: Violation[] = [];
  const add = (rule: Rule, paymentId: string | undefined, detail: string): void => void out.push({ rule, paymentId, detail });
  const payments = new Map(s.payments.map((p) => [p.id, p]));
  const attempts = new Map(s.attempts.map((a) => [a.id, a]));
  const refunds = new Map(s.refunds.map((r) => [r.id, r]));
  const ledgerRefunds = new Map(s.ledger.flatMap((c) => c.refunds.map((r) => [r.idempotencyKey, r] as const)));

  // What callers were told happened, happened.
  for (const call of s.calls) {
    if (call.outcome !== "ok" || !call.payment) continue;
    const p = payments.get(call.payment.id);
    if (!p) { add("acked-capture", call.payment.id, `${call.op} ${call.key} answered a payment paygraph does not have`); continue; }
    if (call.op === "capturePayment") {
      const succeeded = s.operations.some((o) => o.paymentId === p.id && o.kind === "CAPTURE" && o.status === "SUCCEEDED");
      if (!succeeded || p.amountCaptured !== call.payment.amountCaptured) {
        add("acked-capture", p.id, `capture ${call.key} answered amountCaptured ${call.payment.amountCaptured}; paygraph has ${p.amountCaptured} (${p.status}), succeeded capture operation: ${succeeded}`);
      }
    }
    if (call.op === "cancelPayment" && (call.payment.status !== "CANCELED" || p.status !== "CANCELED")) {
      add("acked-cancel", p.id, `cancel ${call.key} answered ${call.payment.status}; paygraph has ${p.status}`);
    }
    if (call.op === "refundPayment" && call.refund) {
      const row = refunds.get(call.refund.id);
      const atGateway = ledgerRefunds.get(call.refund.id);
      if (row?.status !== "SUCCEEDED" || row.amount !== call.refund.amount || atGateway?.amount !== call.refund.amount) {
        add("acked-refund", p.id, `refund ${call.refund.id} (${call.key}) of ${call.refund.amount} was acknowledged; paygraph has ${row ? `${row.status} ${row.amount}` : "no such refund"}, the gateway ${atGateway ? `refunded ${atGateway.amount}` : "has no refund under its id"}`);
      }
    }
  }

  // Retries under one key converged: each got an answer, never "key reused", and every answer with data said the same.
  const byKey = new Map<string, CallRecord[]>();
  for (const call of s.calls) {
    if (call.outcome === "gave-up") add("converged", call.paymentId, `${call.op} ${call.key}: ${call.tries} tries under the key never got an answer (last: ${call.code})`);
    if (call.code === "IDEMPOTENCY_KEY_REUSED") add("converged", call.paymentId, `${call.op} ${call.key}: a retry of the same request was refused as IDEMPOTENCY_KEY_REUSED`);
    if (call.outcome !== "ok") continue;
    const k = `${call.op}:${call.key}`;
    byKey.set(k, [...(byKey.get(k) ?? []), call]);
  }
  const digest = (c: CallRecord): string => JSON.stringify({ p: c.payment, r: c.refund }, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  for (const [k, calls] of byKey) {
    const answers = new Set(calls.map(digest));
    if (answers.size > 1) add("converged", calls[0]?.payment?.id, `${k} was answered ${answers.size} different ways: ${[...answers].join(" vs ")}`);
  }

  // The gateways' books against paygraph's, payment by payment.
  const chargesOf = new Map<string, LedgerCharge[]>();
  for (const c of s.ledger) {
    const a = attempts.get(c.idempotencyKey);
    if (!a) { add("unknown-charge", undefined, `${c.gateway} has a ${c.status} charge under key ${c.idempotencyKey}, which is no attempt of paygraph's`); continue; }
    if (a.gateway !== c.gateway) add("unknown-charge", a.paymentId, `attempt ${a.id} went to ${a.gateway}, but ${c.gateway} holds its charge`);
    chargesOf.set(a.paymentId, [...(chargesOf.get(a.paymentId) ?? []), c]);
  }
  for (const p of s.payments) {
    const charges = chargesOf.get(p.id) ?? [];
    const live = charges.filter(isLive);
    if (live.length > 1) add("charged-twice", p.id, `${live.length} live charges: ${live.map((c) => `${c.gateway}/${c.idempotencyKey} ${c.status} ${c.amountCaptured}`).join(", ")}`);
    const won = s.attempts.filter((a) => a.paymentId === p.id && a.status === "SUCCEEDED");
    if (won.length > 1) add("charged-twice", p.id, `${won.length} SUCCEEDED attempts: ${won.map((a) => a.id).join(", ")}`);
    const winning = won[0] ? charges.find((c) => c.idempotencyKey === won[0]!.id) : undefined;
    const expected = expectedChargeStatus(p);
    if (won[0] && expected) {
      if (!winning) {
        add("ledger-mismatch", p.id, `${p.status}, but ${won[0].gateway} has no charge for attempt ${won[0].id}`);
      } else if (winning.status !== expected || winning.amountCaptured !== p.amountCaptured || winning.amountRefunded !== p.amountRefunded) {
        add("ledger-mismatch", p.id, `paygraph: ${p.status} captured ${p.amountCaptured} refunded ${p.amountRefunded}; ${winning.gateway}: ${winning.status} captured ${winning.amountCaptured} refunded ${winning.amountRefunded}`);
      }
    } else if (live.length > 0) {
      add("ledger-mismatch", p.id, `${p.status} with no succeeded attempt, yet ${live[0]!.gateway} holds a ${live[0]!.status} charge ${live[0]!.idempotencyKey}`);
    }
    if (p.amountRefunded + p.amountRefundPending > p.amountCaptured) add("over-refunded", p.id, `paygraph: refunded ${p.amountRefunded} + pending ${p.amountRefundPending} > captured ${p.amountCaptured}`);
    for (const c of charges) {
      if (c.amountRefunded > c.amountCaptured) add("over-refunded", p.id, `${c.gateway}/${c.idempotencyKey}: refunded ${c.amountRefunded} > captured ${c.amountCaptured}`);
    }
  }

  // Nothing left in flight once the reconciler's window has passed.
  for (const p of s.payments) {
    if (p.status === "PROCESSING") add("stuck", p.id, "payment still PROCESSING");
    if (p.amountRefundPending > 0n) add("stuck", p.id, `amountRefundPending ${p.amountRefundPending}`);
  }
  for (const a of s.attempts) if (a.status === "PENDING") add("stuck", a.paymentId, `attempt ${a.id} still PENDING`);
  for (const r of s.refunds) if (r.status === "PENDING") add("stuck", r.paymentId, `refund ${r.id} still PENDING`);
  for (const o of s.operations) if (o.status === "PENDING") add("stuck", o.paymentId, `${o.kind} operation ${o.id} still PENDING`);

  // Every version of every payment reached the subscriber.
  for (const p of s.payments) {
    const got = s.received.get(p.id) ?? new Set<number>();
    const missing: number[] = [];
    for (let v = 1; v <= p.version; v++) if (!got.has(v)) missing.push(v);
    if (missing.length) add("missed-version", p.id, `subscriber never received version(s) ${missing.join(", ")} of ${p.version}`);
  }

  if (!s.audit.ok) add("audit-chain", undefined, `the audit chain does not verify: ${s.audit.detail ?? "?"}`);
  for (const e of s.unexpectedExits) add("process-exit", undefined, `a ${e.role} process exited by itself (code ${e.code}, signal ${e.signal})`);
  return out;
}

/** Violations grouped by rule, each with its payment ids, for a failure message. */
export function describeViolations(violations: Violation[], seed: number, limit = 15): string {
  if (violations.length === 0) return `no violations (CHAOS_SEED=${seed})`;
  const byRule = new Map<Rule, Violation[]>();
  for (const v of violations) byRule.set(v.rule, [...(byRule.get(v.rule) ?? []), v]);
  const lines = [`${violations.length} invariant violation(s); rerun with CHAOS_SEED=${seed}`];
  for (const [rule, vs] of byRule) {
    const ids = [...new Set(vs.map((v) => v.paymentId).filter(Boolean))];
    lines.push(`- ${rule}: ${vs.length}${ids.length ? ` (payments ${ids.slice(0, 30).join(" ")}${ids.length > 30 ? " …" : ""})` : ""}`);
    for (const v of vs.slice(0, limit)) lines.push(`    ${v.paymentId ?? ""} ${v.detail}`);
  }
  return lines.join("\n");
}
