// The chaos run's invariant checker catches each violation it exists for, on hand-made bad data:
// a green chaos run means the rules held, not that the checker looked away.
import { describe, expect, it } from "vitest";
import { checkInvariants, describeViolations, type CallRecord, type ChaosSnapshot, type Rule } from "../support/chaos/checker.js";

/** A consistent world: one captured-and-partly-refunded payment, one voided, one declined. */
function healthy(): ChaosSnapshot {
  return {
    payments: [
      { id: "pay_c", status: "PARTIALLY_REFUNDED", version: 5, captureMethod: "MANUAL", amount: 1000n, amountCaptured: 800n, amountRefunded: 300n, amountRefundPending: 0n },
      { id: "pay_v", status: "CANCELED", version: 4, captureMethod: "MANUAL", amount: 500n, amountCaptured: 0n, amountRefunded: 0n, amountRefundPending: 0n },
      { id: "pay_d", status: "REQUIRES_PAYMENT_METHOD", version: 3, captureMethod: "AUTOMATIC", amount: 700n, amountCaptured: 0n, amountRefunded: 0n, amountRefundPending: 0n },
    ],
    attempts: [
      { id: "att_c", paymentId: "pay_c", gateway: "gw-flaky", status: "SUCCEEDED" },
      { id: "att_v", paymentId: "pay_v", gateway: "gw-steady", status: "SUCCEEDED" },
      { id: "att_d", paymentId: "pay_d", gateway: "gw-steady", status: "FAILED" },
    ],
    refunds: [{ id: "re_1", paymentId: "pay_c", status: "SUCCEEDED", amount: 300n }],
    operations: [
      { id: "op_c", paymentId: "pay_c", kind: "CAPTURE", status: "SUCCEEDED", amount: 800n },
      { id: "op_v", paymentId: "pay_v", kind: "VOID", status: "SUCCEEDED", amount: 0n },
    ],
    ledger: [
      { gateway: "gw-flaky", idempotencyKey: "att_c", status: "captured", amount: 1000n, amountCaptured: 800n, amountRefunded: 300n, refunds: [{ idempotencyKey: "re_1", amount: 300n }] },
      { gateway: "gw-steady", idempotencyKey: "att_v", status: "voided", amount: 500n, amountCaptured: 0n, amountRefunded: 0n, refunds: [] },
      { gateway: "gw-steady", idempotencyKey: "att_d", status: "declined", amount: 700n, amountCaptured: 0n, amountRefunded: 0n, refunds: [] },
    ],
    calls: [
      { op: "capturePayment", key: "k-cap", paymentId: "pay_c", outcome: "ok", tries: 3, payment: { id: "pay_c", status: "CAPTURED", version: 3, amountCaptured: 800n, amountRefunded: 0n } },
      { op: "capturePayment", key: "k-cap", paymentId: "pay_c", outcome: "ok", tries: 1, payment: { id: "pay_c", status: "CAPTURED", version: 3, amountCaptured: 800n, amountRefunded: 0n } },
      { op: "refundPayment", key: "k-ref", paymentId: "pay_c", outcome: "ok", tries: 1, payment: { id: "pay_c", status: "CAPTURED", version: 4, amountCaptured: 800n, amountRefunded: 0n }, refund: { id: "re_1", amount: 300n } },
      { op: "cancelPayment", key: "k-can", paymentId: "pay_v", outcome: "ok", tries: 2, payment: { id: "pay_v", status: "CANCELED", version: 4, amountCaptured: 0n, amountRefunded: 0n } },
    ],
    received: new Map([["pay_c", new Set([1, 2, 3, 4, 5])], ["pay_v", new Set([1, 2, 3, 4])], ["pay_d", new Set([1, 2, 3])]]),
    audit: { ok: true },
    unexpectedExits: [],
  };
}

const rules = (s: ChaosSnapshot): Rule[] => [...new Set(checkInvariants(s).map((v) => v.rule))];
const paymentsOf = (s: ChaosSnapshot, rule: Rule): (string | undefined)[] => checkInvariants(s).filter((v) => v.rule === rule).map((v) => v.paymentId);

describe("chaos invariant checker", () => {
  it("finds nothing wrong in a consistent world", () => {
    expect(checkInvariants(healthy())).toEqual([]);
  });

  it("catches a capture acknowledged to its caller that paygraph does not have", () => {
    const s = healthy();
    s.operations[0]!.status = "FAILED";
    expect(paymentsOf(s, "acked-capture")).toEqual(["pay_c", "pay_c"]);
    const t = healthy();
    t.payments[0]!.amountCaptured = 700n; // captured less than the caller was told
    expect(rules(t)).toContain("acked-capture");
  });

  it("catches an acknowledged cancel that did not happen", () => {
    const s = healthy();
    s.payments[1]!.status = "AUTHORIZED";
    expect(paymentsOf(s, "acked-cancel")).toEqual(["pay_v"]);
  });

  it("catches an acknowledged refund that failed, or never reached the gateway", () => {
    const s = healthy();
    s.refunds[0]!.status = "FAILED";
    expect(paymentsOf(s, "acked-refund")).toEqual(["pay_c"]);
    const t = healthy();
    t.ledger[0]!.refunds = [];
    expect(paymentsOf(t, "acked-refund")).toEqual(["pay_c"]);
  });

  it("catches a retry under the same key that got a different answer", () => {
    const s = healthy();
    const second = s.calls[1] as CallRecord;
    second.payment = { ...second.payment!, amountCaptured: 1000n };
    expect(paymentsOf(s, "converged")).toEqual(["pay_c"]);
  });

  it("catches retries under a key that never got an answer, or were refused as a reused key", () => {
    const s = healthy();
    s.calls.push({ op: "refundPayment", key: "k-ref2", paymentId: "pay_c", outcome: "gave-up", code: "SERVICE_UNAVAILABLE", tries: 80 });
    s.calls.push({ op: "cancelPayment", key: "k-can2", paymentId: "pay_v", outcome: "error", code: "IDEMPOTENCY_KEY_REUSED", tries: 2 });
    expect(paymentsOf(s, "converged")).toEqual(["pay_c", "pay_v"]);
  });

  it("catches captured, voided or refunded amounts that differ from the gateway's ledger", () => {
    const s = healthy();
    s.ledger[0]!.amountRefunded = 500n;
    expect(paymentsOf(s, "ledger-mismatch")).toEqual(["pay_c"]);
    const t = healthy();
    t.ledger[1]!.status = "authorized"; // paygraph says canceled, the gateway never voided
    expect(paymentsOf(t, "ledger-mismatch")).toEqual(["pay_v"]);
    const u = healthy();
    u.ledger[2]!.status = "captured"; // the gateway took money for a payment paygraph calls declined
    u.ledger[2]!.amountCaptured = 700n;
    expect(paymentsOf(u, "ledger-mismatch")).toEqual(["pay_d"]);
  });

  it("catches a payment charged twice, but not one whose orphan charge was released", () => {
    const s = healthy();
    s.attempts.push({ id: "att_c2", paymentId: "pay_c", gateway: "gw-steady", status: "FAILED" });
    s.ledger.push({ gateway: "gw-steady", idempotencyKey: "att_c2", status: "authorized", amount: 1000n, amountCaptured: 0n, amountRefunded: 0n, refunds: [] });
    expect(paymentsOf(s, "charged-twice")).toEqual(["pay_c"]);
    s.ledger.at(-1)!.status = "voided";
    expect(rules(s)).toEqual([]);
    s.ledger.at(-1)!.status = "captured";
    s.ledger.at(-1)!.amountCaptured = 1000n;
    s.ledger.at(-1)!.amountRefunded = 1000n;
    s.ledger.at(-1)!.refunds = [{ idempotencyKey: "att_c2:release", amount: 1000n }];
    expect(rules(s)).toEqual([]);
  });

  it("catches two succeeded attempts, and a charge under a key paygraph never used", () => {
    const s = healthy();
    s.attempts.push({ id: "att_c3", paymentId: "pay_c", gateway: "gw-flaky", status: "SUCCEEDED" });
    expect(paymentsOf(s, "charged-twice")).toEqual(["pay_c"]);
    const t = healthy();
    t.ledger.push({ gateway: "gw-flaky", idempotencyKey: "att_nobody", status: "captured", amount: 5n, amountCaptured: 5n, amountRefunded: 0n, refunds: [] });
    expect(rules(t)).toEqual(["unknown-charge"]);
  });

  it("catches refunds past the capture, in paygraph or at the gateway", () => {
    const s = healthy();
    s.payments[0]!.amountRefundPending = 600n;
    expect(rules(s)).toContain("over-refunded");
    const t = healthy();
    t.ledger[0]!.amountRefunded = 900n;
    expect(paymentsOf(t, "over-refunded")).toEqual(["pay_c"]);
  });

  it("catches a payment, attempt, refund or operation left in flight", () => {
    const s = healthy();
    s.payments[2]!.status = "PROCESSING";
    s.attempts[2]!.status = "PENDING";
    s.refunds[0]!.status = "PENDING";
    s.operations[1]!.status = "PENDING";
    const stuck = checkInvariants(s).filter((v) => v.rule === "stuck");
    expect(stuck.map((v) => v.detail)).toEqual([
      "payment still PROCESSING", "attempt att_d still PENDING", "refund re_1 still PENDING", "VOID operation op_v still PENDING",
    ]);
  });

  it("catches a version the subscriber never received", () => {
    const s = healthy();
    s.received.get("pay_c")!.delete(4);
    s.received.delete("pay_d");
    const missed = checkInvariants(s).filter((v) => v.rule === "missed-version");
    expect(missed.map((v) => [v.paymentId, v.detail])).toEqual([
      ["pay_c", "subscriber never received version(s) 4 of 5"],
      ["pay_d", "subscriber never received version(s) 1, 2, 3 of 3"],
    ]);
  });

  it("catches an audit chain that does not verify, and a process that exited by itself", () => {
    const s = healthy();
    s.audit = { ok: false, detail: "EDITED at seq 7" };
    s.unexpectedExits.push({ role: "worker", code: 1, signal: null });
    expect(rules(s)).toEqual(["audit-chain", "process-exit"]);
  });

  it("says the seed and the payments of each rule", () => {
    const s = healthy();
    s.payments[2]!.status = "PROCESSING";
    const text = describeViolations(checkInvariants(s), 1234);
    expect(text).toContain("CHAOS_SEED=1234");
    expect(text).toContain("- stuck: 1 (payments pay_d)");
  });
});
