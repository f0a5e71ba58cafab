-- CreateEnum
CREATE TYPE "BatchOperation" AS ENUM ('CAPTURE', 'REFUND', 'CANCEL');

-- CreateEnum
CREATE TYPE "BatchStatus" AS ENUM ('VALIDATING', 'RUNNING', 'COMPLETED', 'CANCELED');

-- CreateEnum
CREATE TYPE "BatchItemStatus" AS ENUM ('INVALID', 'PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELED');

-- CreateTable
CREATE TABLE "batch" (
    "id" TEXT NOT NULL,
    "merchant_id" TEXT NOT NULL,
    "operation" "BatchOperation" NOT NULL,
    "status" "BatchStatus" NOT NULL,
    "total" INTEGER NOT NULL,
    "succeeded" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "invalid" INTEGER NOT NULL DEFAULT 0,
    "canceled" INTEGER NOT NULL DEFAULT 0,
    "skip_invalid" BOOLEAN NOT NULL,
    "actor" TEXT NOT NULL,
    "idempotency_key" TEXT,
    "request_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "batch_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "batch_item" (
    "batch_id" TEXT NOT NULL,
    "line" INTEGER NOT NULL,
    "payment_id" TEXT NOT NULL,
    "amount" TEXT,
    "reason" TEXT,
    "status" "BatchItemStatus" NOT NULL,
    "error_code" TEXT,
    "error_message" TEXT,
    "result_id" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "batch_item_pkey" PRIMARY KEY ("batch_id","line")
);

-- CreateIndex
CREATE INDEX "batch_merchant_id_created_at_id_idx" ON "batch"("merchant_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "batch_merchant_id_idempotency_key_key" ON "batch"("merchant_id", "idempotency_key");

-- AddForeignKey
ALTER TABLE "batch_item" ADD CONSTRAINT "batch_item_batch_id_fkey" FOREIGN KEY ("batch_id") REFERENCES "batch"("id") ON DELETE CASCADE ON UPDATE CASCADE;
