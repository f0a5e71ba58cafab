-- CreateEnum
CREATE TYPE "CheckoutSessionStatus" AS ENUM ('OPEN', 'COMPLETE', 'EXPIRED');

-- AlterTable
ALTER TABLE "payment" ADD COLUMN     "checkout_session_id" TEXT;

-- CreateTable
CREATE TABLE "checkout_session" (
    "id" TEXT NOT NULL,
    "merchant_id" TEXT NOT NULL,
    "payment_id" TEXT NOT NULL,
    "status" "CheckoutSessionStatus" NOT NULL,
    "client_secret" TEXT NOT NULL,
    "success_url" TEXT NOT NULL,
    "cancel_url" TEXT,
    "locale" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "completed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "checkout_session_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "checkout_session_payment_id_key" ON "checkout_session"("payment_id");

-- CreateIndex
CREATE INDEX "checkout_session_merchant_id_created_at_idx" ON "checkout_session"("merchant_id", "created_at");

-- The expiry sweep reads only open sessions (src/checkout/checkout-sessions.ts, expireDueSessions).
CREATE INDEX "checkout_session_open_idx" ON "checkout_session"("expires_at") WHERE "status" = 'OPEN';
