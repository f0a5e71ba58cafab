-- AlterTable
ALTER TABLE "payment" ADD COLUMN     "customer_id" TEXT;

-- CreateTable
CREATE TABLE "customer" (
    "id" TEXT NOT NULL,
    "merchant_id" TEXT NOT NULL,
    "email" TEXT,
    "name" TEXT,
    "description" TEXT,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "deleted_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "customer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "saved_payment_method" (
    "payment_method_id" TEXT NOT NULL,
    "merchant_id" TEXT NOT NULL,
    "customer_id" TEXT,
    "attached_at" TIMESTAMPTZ(3),
    "used_at" TIMESTAMPTZ(3),
    "detached_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "saved_payment_method_pkey" PRIMARY KEY ("payment_method_id")
);

-- CreateTable
CREATE TABLE "card_token" (
    "id" TEXT NOT NULL,
    "merchant_id" TEXT NOT NULL,
    "payment_method_id" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "card_token_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "customer_merchant_id_created_at_id_idx" ON "customer"("merchant_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "customer_merchant_id_email_idx" ON "customer"("merchant_id", "email");

-- CreateIndex
CREATE INDEX "saved_payment_method_merchant_id_customer_id_created_at_pay_idx" ON "saved_payment_method"("merchant_id", "customer_id", "created_at", "payment_method_id");

-- CreateIndex
CREATE UNIQUE INDEX "card_token_payment_method_id_key" ON "card_token"("payment_method_id");

-- CreateIndex
CREATE INDEX "card_token_merchant_id_created_at_idx" ON "card_token"("merchant_id", "created_at");
