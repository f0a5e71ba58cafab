// Reusable behavioural contract for any Gateway connector backed by a test double that exposes a
// ledger (the proof of "charged at most once per idempotency key") and fault knobs. A new
// connector supplies a harness and calls describeGatewayContract; the suite is the same.
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Gateway, GatewayOutcome } from "../../../src/gateways/gateway.js";
import { DEFAULT_DECISIONS } from "../../../src/routing/decision-table.js";
import { classify } from "../../../src/routing/outcome-decisions.js";

export interface ContractCards {
  approve: string;
  hardDecline: string;
  softDecline: string;
  processingError: string;
  threeDSecure: string;
}

export interface ContractCharge {
  idempotencyKey: string;
  reference: string;
  status: string;
  amount: bigint;
  amountCaptured: bigint;
  amountRefunded: bigint;
}

export interface GatewayContractHarness {
  cards: ContractCards;
  gateway(opts?: { timeoutMs?: number }): Gateway;
  ledger(): Promise<ContractCharge[]>;
  /** Fault injection; the suite resets to { down: false, latencyMs: 0 } after each test. */
  setFaults(faults: { down?: boolean; latencyMs?: number }): Promise<void>;
  close(): Promise<void>;
}

const key = (label: string): string => `${label}-${randomUUID()}`;

export function describeGatewayContract(name: string, start: () => Promise<GatewayContractHarness>): void {
  describe(`gateway contract: ${name}`, () => {
    let h: GatewayContractHarness;
    let gw: Gateway;
    const expYear = new Date().getUTCFullYear() + 3;
    const card = (number: string) => ({ number, expMonth: 12, expYear, cvc: "123" });
    const authorize = (k: string, number: string, capture = true, amount = 1250n, g: Gateway = gw) =>
      g.authorize({ idempotencyKey: k, amount, currency: "EUR", card: card(number), capture });
    const entries = async (k: string) => (await h.ledger()).filter((c) => c.idempotencyKey === k);
    const referenceOf = (o: GatewayOutcome): string => {
      if (o.kind !== "approved" && o.kind !== "requires_action") throw new Error(`expected a reference, got ${JSON.stringify(o)}`);
      return o.reference;
    };

    beforeAll(async () => {
      h = await start();
      gw = h.gateway();
    });
    afterEach(async () => {
      await h.setFaults({ down: false, latencyMs: 0 });
    });
    afterAll(async () => {
      await h.close();
    });

    it("approves and captures a good card", async () => {
      const k = key("approve");
      const o = await authorize(k, h.cards.approve);
      expect(o.kind).toBe("approved");
      const [c] = await entries(k);
      expect(c).toMatchObject({ reference: referenceOf(o), status: "captured", amount: 1250n, amountCaptured: 1250n });
    });

    // What a refusal means is the connector's outcome table: every connector ships one.
    const decisionFor = (o: GatewayOutcome) => (o.kind === "declined" || o.kind === "transient" ? classify(o, DEFAULT_DECISIONS[gw.kind]).decision : undefined);

    it("hard-declines", async () => {
      const k = key("hard");
      const o = await authorize(k, h.cards.hardDecline);
      expect(o).toMatchObject({ kind: "declined", code: "card_declined", declineCode: "generic_decline" });
      expect(decisionFor(o)).toBe("STOP");
      expect((await entries(k)).map((c) => c.status)).toEqual(["declined"]);
    });

    it("soft-declines insufficient funds", async () => {
      const o = await authorize(key("soft"), h.cards.softDecline);
      expect(o).toMatchObject({ kind: "declined", code: "card_declined", declineCode: "insufficient_funds" });
      expect(decisionFor(o)).toBe("FAIL_OVER");
    });

    it("reports processing errors as transient and charges nothing, even on retry", async () => {
      const k = key("transient");
      for (let i = 0; i < 2; i++) {
        const o = await authorize(k, h.cards.processingError);
        expect(o).toMatchObject({ kind: "transient", code: "processing_error" });
        expect(decisionFor(o)).toBe("RETRY");
      }
      expect(await entries(k)).toEqual([]);
    });

    it("asks for 3-D Secure", async () => {
      const k = key("3ds");
      const o = await authorize(k, h.cards.threeDSecure);
      expect(o.kind).toBe("requires_action");
      expect((await entries(k)).map((c) => c.status)).toEqual(["requires_action"]);
    });

    it("charges once when the same key is sent twice", async () => {
      const k = key("twice");
      const first = await authorize(k, h.cards.approve);
      const second = await authorize(k, h.cards.approve);
      expect(second).toEqual(first);
      expect(await entries(k)).toHaveLength(1);
    });

    it("charges once for 10 concurrent calls with the same key", async () => {
      await h.setFaults({ latencyMs: 50 }); // keep the first call in flight while the others arrive
      const k = key("concurrent");
      const outcomes = await Promise.all(Array.from({ length: 10 }, () => authorize(k, h.cards.approve)));
      expect(outcomes[0]?.kind).toBe("approved");
      for (const o of outcomes) expect(o).toEqual(outcomes[0]);
      expect(await entries(k)).toHaveLength(1);
    });

    it("captures partially, refunds partially twice, refuses to over-refund", async () => {
      const k = key("manual");
      const ref = referenceOf(await authorize(k, h.cards.approve, false, 1000n));
      expect((await entries(k))[0]?.status).toBe("authorized");

      const op = { reference: ref, currency: "EUR" };
      expect(await gw.capture({ ...op, idempotencyKey: key("cap"), amount: 1001n })).toMatchObject({
        kind: "declined", code: "amount_too_large",
      });
      expect(await gw.capture({ ...op, idempotencyKey: key("cap"), amount: 600n })).toEqual({ kind: "approved", reference: ref });
      expect(await gw.capture({ ...op, idempotencyKey: key("cap"), amount: 100n })).toMatchObject({
        kind: "declined", code: "invalid_state",
      });

      const r1Key = key("ref");
      const r1 = await gw.refund({ ...op, idempotencyKey: r1Key, amount: 200n });
      const r2 = await gw.refund({ ...op, idempotencyKey: key("ref"), amount: 300n });
      expect(r1.kind).toBe("approved");
      expect(r2.kind).toBe("approved");
      expect(referenceOf(r1)).not.toBe(referenceOf(r2));
      // Replaying a refund key refunds nothing more.
      expect(await gw.refund({ ...op, idempotencyKey: r1Key, amount: 200n })).toEqual(r1);
      expect(await gw.refund({ ...op, idempotencyKey: key("ref"), amount: 101n })).toMatchObject({
        kind: "declined", code: "amount_too_large",
      });
      expect((await entries(k))[0]).toMatchObject({ status: "captured", amountCaptured: 600n, amountRefunded: 500n });
    });

    it("voids an authorization, after which it cannot be captured", async () => {
      const k = key("void");
      const ref = referenceOf(await authorize(k, h.cards.approve, false));
      expect(await gw.void({ idempotencyKey: key("void-op"), reference: ref })).toEqual({ kind: "approved", reference: ref });
      expect((await entries(k))[0]?.status).toBe("voided");
      expect(await gw.capture({ idempotencyKey: key("cap"), reference: ref, amount: 1n, currency: "EUR" })).toMatchObject({
        kind: "declined", code: "invalid_state",
      });
    });

    it("reports an unknown reference as a hard not_found decline", async () => {
      expect(await gw.void({ idempotencyKey: key("void-op"), reference: "ch_does_not_exist" })).toMatchObject({
        kind: "declined", code: "not_found",
      });
    });

    it("reports an outage as transient gateway_unavailable and charges nothing", async () => {
      await h.setFaults({ down: true });
      const k = key("down");
      expect(await authorize(k, h.cards.approve)).toMatchObject({ kind: "transient", code: "gateway_unavailable" });
      await h.setFaults({ down: false });
      expect(await entries(k)).toEqual([]);
      expect((await authorize(k, h.cards.approve)).kind).toBe("approved");
    });

    it("keeps the charge when the client times out; the same-key retry returns it", async () => {
      await h.setFaults({ latencyMs: 400 });
      const k = key("timeout");
      const impatient = h.gateway({ timeoutMs: 100 });
      expect(await authorize(k, h.cards.approve, true, 1250n, impatient)).toMatchObject({ kind: "transient", code: "timeout" });
      const charged = await entries(k);
      expect(charged).toHaveLength(1);
      await h.setFaults({ latencyMs: 0 });
      expect(await authorize(k, h.cards.approve)).toEqual({ kind: "approved", reference: charged[0]?.reference });
      expect(await entries(k)).toHaveLength(1);
    });
  });
}
