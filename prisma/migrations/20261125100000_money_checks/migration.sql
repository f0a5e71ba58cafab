-- The money invariants, enforced by the database as a second line behind the state machine:
-- no negative amounts, never more captured than authorized, never more refunded (settled plus
-- pending) than captured. Prisma's schema cannot express CHECK constraints, so this migration is
-- written by hand; `npm run db:diff -- --check` ignores them.
ALTER TABLE "payment"
  ADD CONSTRAINT "payment_amounts_non_negative" CHECK (
    "amount" > 0 AND "amount_capturable" >= 0 AND "amount_captured" >= 0
    AND "amount_refunded" >= 0 AND "amount_refund_pending" >= 0),
  ADD CONSTRAINT "payment_captured_within_amount" CHECK ("amount_captured" <= "amount" AND "amount_capturable" <= "amount"),
  ADD CONSTRAINT "payment_refunds_within_capture" CHECK ("amount_refunded" + "amount_refund_pending" <= "amount_captured");

ALTER TABLE "refund" ADD CONSTRAINT "refund_amount_positive" CHECK ("amount" > 0);
ALTER TABLE "payment_attempt" ADD CONSTRAINT "payment_attempt_amount_positive" CHECK ("amount" > 0);
