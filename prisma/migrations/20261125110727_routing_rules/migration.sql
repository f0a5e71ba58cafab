-- AlterTable
ALTER TABLE "payment_method" ADD COLUMN     "bin" CHAR(6),
ADD COLUMN     "country" CHAR(2);

-- CreateTable
CREATE TABLE "routing_rule_set" (
    "merchant_id" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "rules" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "routing_rule_set_pkey" PRIMARY KEY ("merchant_id")
);
