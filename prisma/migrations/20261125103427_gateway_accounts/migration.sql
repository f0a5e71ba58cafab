-- CreateEnum
CREATE TYPE "GatewayKind" AS ENUM ('SANDBOX');

-- AlterTable
ALTER TABLE "payment_attempt" ADD COLUMN     "gateway_account_id" TEXT,
ADD COLUMN     "routing_reason" TEXT;

-- CreateTable
CREATE TABLE "gateway_account" (
    "id" TEXT NOT NULL,
    "merchant_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "GatewayKind" NOT NULL,
    "config_ciphertext" BYTEA NOT NULL,
    "currencies" TEXT[],
    "card_brands" TEXT[],
    "priority" INTEGER NOT NULL DEFAULT 100,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "gateway_account_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "gateway_account_merchant_id_name_key" ON "gateway_account"("merchant_id", "name");
