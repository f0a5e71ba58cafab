-- CreateEnum
CREATE TYPE "PaymentOperationKind" AS ENUM ('CAPTURE', 'VOID');

-- CreateEnum
CREATE TYPE "PaymentOperationStatus" AS ENUM ('PENDING', 'SUCCEEDED', 'FAILED');

-- CreateTable
CREATE TABLE "payment_operation" (
    "id" TEXT NOT NULL,
    "merchant_id" TEXT NOT NULL,
    "payment_id" TEXT NOT NULL,
    "kind" "PaymentOperationKind" NOT NULL,
    "status" "PaymentOperationStatus" NOT NULL,
    "amount" BIGINT NOT NULL,
    "gateway_amount" BIGINT NOT NULL,
    "gateway_currency" CHAR(3) NOT NULL,
    "idempotency_key" TEXT,
    "failure_code" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "payment_operation_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "payment_operation_payment_id_status_idx" ON "payment_operation"("payment_id", "status");

-- CreateIndex
CREATE INDEX "payment_operation_status_updated_at_idx" ON "payment_operation"("status", "updated_at");
