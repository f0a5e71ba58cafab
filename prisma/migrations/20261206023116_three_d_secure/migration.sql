-- CreateEnum
CREATE TYPE "ThreeDSecureFlow" AS ENUM ('FRICTIONLESS', 'CHALLENGE');

-- AlterTable
ALTER TABLE "payment" ADD COLUMN     "next_action" JSONB,
ADD COLUMN     "return_url" TEXT,
ADD COLUMN     "three_d_secure" JSONB;

-- AlterTable
ALTER TABLE "payment_attempt" ADD COLUMN     "authentication_required" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "three_d_secure_authentication" (
    "id" TEXT NOT NULL,
    "merchant_id" TEXT NOT NULL,
    "payment_id" TEXT NOT NULL,
    "attempt_id" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "flow" "ThreeDSecureFlow" NOT NULL,
    "trans_status" CHAR(1) NOT NULL,
    "trans_status_reason" TEXT,
    "eci" TEXT,
    "authentication_value" TEXT,
    "ds_trans_id" TEXT NOT NULL,
    "acs_trans_id" TEXT NOT NULL,
    "acs_url" TEXT,
    "creq" TEXT,
    "challenge_cancel" TEXT,
    "expires_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "three_d_secure_authentication_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "three_d_secure_authentication_attempt_id_key" ON "three_d_secure_authentication"("attempt_id");

-- CreateIndex
CREATE INDEX "three_d_secure_authentication_payment_id_idx" ON "three_d_secure_authentication"("payment_id");

-- The expiry sweep reads only open challenges (src/payments/three-d-secure/expiry.ts).
CREATE INDEX "three_d_secure_authentication_open_idx" ON "three_d_secure_authentication"("expires_at") WHERE "trans_status" = 'C';
