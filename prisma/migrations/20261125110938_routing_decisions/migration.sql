-- CreateEnum
CREATE TYPE "GatewayDecision" AS ENUM ('RETRY', 'FAIL_OVER', 'STOP', 'STEP_UP');

-- AlterTable
ALTER TABLE "gateway_account" ADD COLUMN     "cost_bps" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "payment_attempt" ADD COLUMN     "decision" "GatewayDecision";

-- CreateTable
CREATE TABLE "gateway_decision_override" (
    "merchant_id" TEXT NOT NULL,
    "kind" "GatewayKind" NOT NULL,
    "position" INTEGER NOT NULL,
    "code" TEXT NOT NULL,
    "decline_code" TEXT,
    "message_contains" TEXT,
    "decision" "GatewayDecision" NOT NULL,
    "description" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "gateway_decision_override_pkey" PRIMARY KEY ("merchant_id","kind","position")
);

-- CreateIndex
CREATE INDEX "payment_attempt_gateway_account_id_created_at_idx" ON "payment_attempt"("gateway_account_id", "created_at");
