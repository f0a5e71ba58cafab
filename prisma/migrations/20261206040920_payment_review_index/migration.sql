-- The review sweep reads only payments held for review (src/payments/operations/review.ts,
-- expireReviews). Its own migration: a new enum value cannot be used in the transaction that adds it.
CREATE INDEX "payment_requires_review_idx" ON "payment"("updated_at") WHERE "status" = 'REQUIRES_REVIEW';
