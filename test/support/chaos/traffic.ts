// The chaos run's callers: `concurrency` shoppers, each taking one payment at a time through a
// scenario drawn from its own seeded stream (create, confirm, then partial or full capture, cancel,
// partial or full refunds). Every mutation carries an idempotency key and is retried under the same
// key, on whichever api answers, while the error is retryable — as a careful merchant would. What
// each caller was finally told is recorded for the checker.
import { print } from "graphql";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import {
  CancelPaymentDocument, CapturePaymentDocument, ConfirmPaymentDocument, CreatePaymentDocument, RefundPaymentDocument,
} from "../../../client/src/generated/graphql.js";
import { TEST_CARDS, card } from "../stack.js";
import type { CallOp, CallRecord } from "./checker.js";
import type { Rng } from "./prng.js";

/** Codes a careful caller retries under the same key (besides any error marked `retryable`). */
const RETRYABLE = new Set(["GATEWAY_UNAVAILABLE", "SERVICE_UNAVAILABLE", "IDEMPOTENCY_IN_PROGRESS", "RATE_LIMITED", "INTERNAL"]);
/** A request's retries stop after this many tries, or this long: the checker then sees "gave-up". */
const MAX_TRIES = 80;
const MAX_RETRY_MS = 60_000;
const REQUEST_TIMEOUT_MS = 20_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const decimal = (minor: bigint): string => `${minor / 100n}.${String(minor % 100n).padStart(2, "0")}`;

interface MoneyJson { minorUnits: string | number }
interface PaymentJson { id: string; status: string; version: number; amountCaptured: MoneyJson; amountRefunded: MoneyJson; amountCapturable: MoneyJson }

type Answer = { kind: "data"; data: Record<string, unknown> } | { kind: "error"; code: string; retryable: boolean };

const PAYMENT_QUERY = `query ChaosPayment($id: ID!) { payment(id: $id) { id status version amountCaptured { minorUnits } amountRefunded { minorUnits } amountCapturable { minorUnits } } }`;

export interface TrafficOptions {
  seed: number;
  rng: Rng;
  key: string;
  /** The api processes' URLs (all of them, up or down: a refused connection is retried elsewhere). */
  apis: () => string[];
  concurrency: number;
}

export class Traffic {
  readonly calls: CallRecord[] = [];
  /** Why requests were retried: error codes, "network", "http-<status>". */
  readonly retryReasons = new Map<string, number>();
  scenarios = 0;
  private stopping = false;
  private running: Promise<void> | undefined;

  constructor(private readonly o: TrafficOptions) {}

  start(): void {
    let next = 0;
    this.running = Promise.all(Array.from({ length: this.o.concurrency }, async () => {
      while (!this.stopping) await this.scenario(next++);
    })).then(() => undefined);
  }

  /** No new scenarios; resolves once those under way have finished (their retries are bounded). */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  private async send(query: string, variables: Record<string, unknown>, attempt: number): Promise<Answer> {
    const apis = this.o.apis();
    const url = apis[(attempt + Math.floor(Math.random() * apis.length)) % apis.length]!;
    try {
      const response = await fetch(`${url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${this.o.key}` },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await response.text();
      let body: { data?: Record<string, unknown> | null; errors?: { extensions?: { code?: string; retryable?: boolean } }[] };
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        return { kind: "error", code: `http-${response.status}`, retryable: true };
      }
      const first = body.errors?.[0];
      if (first || !body.data) {
        const code = first?.extensions?.code ?? `http-${response.status}`;
        return { kind: "error", code, retryable: RETRYABLE.has(code) || first?.extensions?.retryable === true || response.status >= 500 };
      }
      return { kind: "data", data: body.data };
    } catch {
      return { kind: "error", code: "network", retryable: true };
    }
  }

  /** Sends until a final answer; every try after the first is under the same key. */
  private async untilFinal(query: string, variables: Record<string, unknown>): Promise<{ answer: Answer; tries: number }> {
    const deadline = Date.now() + MAX_RETRY_MS;
    for (let tries = 1; ; tries++) {
      const answer = await this.send(query, variables, tries);
      if (answer.kind === "data" || !answer.retryable || tries >= MAX_TRIES || Date.now() > deadline) return { answer, tries };
      this.retryReasons.set(answer.code, (this.retryReasons.get(answer.code) ?? 0) + 1);
      await sleep(Math.min(1000, 50 * 1.5 ** tries) * (0.5 + Math.random() / 2));
    }
  }

  private async mutate<TVars>(op: CallOp, doc: TypedDocumentNode<unknown, TVars>, paymentId: string | undefined, input: Record<string, unknown> & { idempotencyKey: string }): Promise<CallRecord> {
    const { answer, tries } = await this.untilFinal(print(doc), { input });
    const record: CallRecord = { op, key: input.idempotencyKey, paymentId, tries, outcome: "gave-up" };
    if (answer.kind === "error") {
      record.outcome = answer.retryable ? "gave-up" : "error";
      record.code = answer.code;
    } else {
      const payload = answer.data[op] as { payment: PaymentJson; refund?: { id: string; amount: MoneyJson } };
      const p = payload.payment;
      record.outcome = "ok";
      record.paymentId = p.id;
      record.payment = { id: p.id, status: p.status, version: p.version, amountCaptured: BigInt(p.amountCaptured.minorUnits), amountRefunded: BigInt(p.amountRefunded.minorUnits) };
      if (payload.refund) record.refund = { id: payload.refund.id, amount: BigInt(payload.refund.amount.minorUnits) };
    }
    this.calls.push(record);
    return record;
  }

  /** Reads the payment until the worker has decided it (bounded: the checker judges what is left). */
  private async settled(id: string): Promise<PaymentJson | undefined> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const { answer } = await this.untilFinal(PAYMENT_QUERY, { id });
      if (answer.kind === "data") {
        const p = answer.data.payment as PaymentJson;
        if (p.status !== "PROCESSING") return p;
      }
      await sleep(150);
    }
    return undefined;
  }

  /**
   * One payment's life. Every random choice is drawn up front from the scenario's own stream, so
   * the same seed makes the same plan whatever the interleaving and whatever the outcomes.
   */
  private async scenario(index: number): Promise<void> {
    this.scenarios++;
    const r = this.o.rng.fork(index);
    const plan = {
      manual: r.chance(0.6),
      amount: BigInt(r.int(500, 50_000)),
      card: r.chance(0.9) ? TEST_CARDS.approve : r.pick([TEST_CARDS.hardDecline, TEST_CARDS.softDecline]),
      cancelUnpaid: r.chance(0.04),
      afterAuth: r.pick(["full", "full", "full", "partial", "partial", "cancel"] as const),
      partialShare: r.int(10, 95),
      resend: r.chance(0.3),
      refunds: r.pick([0, 0, 1, 1, 2, 3]),
      refundAll: r.chance(0.2),
      refundShares: [r.int(5, 60), r.int(5, 60), r.int(5, 60)],
    };
    const key = (step: string): string => `chaos-${this.o.seed}-${index}-${step}`;

    const created = await this.mutate("createPayment", CreatePaymentDocument, undefined, {
      amount: decimal(plan.amount), currency: "USD", captureMethod: plan.manual ? "MANUAL" : "AUTOMATIC", idempotencyKey: key("create"),
      metadata: { scenario: String(index) },
    });
    if (!created.payment) return;
    const id = created.payment.id;
    if (plan.cancelUnpaid) {
      await this.mutate("cancelPayment", CancelPaymentDocument, id, { paymentId: id, idempotencyKey: key("cancel") });
      return;
    }
    const confirmed = await this.mutate("confirmPayment", ConfirmPaymentDocument, id, { paymentId: id, card: card(plan.card), idempotencyKey: key("confirm") });
    if (confirmed.outcome !== "ok") return;
    let payment = await this.settled(id);
    if (!payment) return;

    if (payment.status === "AUTHORIZED") {
      const capturable = BigInt(payment.amountCapturable.minorUnits);
      const step = plan.afterAuth === "cancel"
        ? () => this.mutate("cancelPayment", CancelPaymentDocument, id, { paymentId: id, idempotencyKey: key("cancel") })
        : plan.afterAuth === "partial"
          ? () => this.mutate("capturePayment", CapturePaymentDocument, id, { paymentId: id, amount: decimal((capturable * BigInt(plan.partialShare)) / 100n || 1n), idempotencyKey: key("capture") })
          : () => this.mutate("capturePayment", CapturePaymentDocument, id, { paymentId: id, idempotencyKey: key("capture") });
      const done = await step();
      if (plan.resend && done.outcome === "ok") await step(); // the same key again: must answer the same
      if (done.outcome !== "ok" || plan.afterAuth === "cancel") return;
      payment = { ...payment, status: done.payment!.status, amountCaptured: { minorUnits: String(done.payment!.amountCaptured) } };
    }
    if (payment.status !== "CAPTURED") return;

    let refundable = BigInt(payment.amountCaptured.minorUnits) - BigInt(payment.amountRefunded.minorUnits);
    for (let i = 0; i < plan.refunds && refundable > 0n; i++) {
      const all = plan.refundAll && i === plan.refunds - 1;
      const amount = all ? refundable : (refundable * BigInt(plan.refundShares[i]!)) / 100n;
      if (amount <= 0n) break;
      const refunded = await this.mutate("refundPayment", RefundPaymentDocument, id, { paymentId: id, amount: decimal(amount), idempotencyKey: key(`refund-${i}`) });
      if (refunded.outcome !== "ok") break;
      refundable -= amount;
    }
  }
}
