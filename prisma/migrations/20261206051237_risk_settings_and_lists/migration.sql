-- CreateEnum
CREATE TYPE "RiskList" AS ENUM ('ALLOW', 'BLOCK');

-- CreateEnum
CREATE TYPE "RiskListSubject" AS ENUM ('CARD', 'EMAIL', 'IP', 'CUSTOMER');

-- CreateTable
CREATE TABLE "risk_settings" (
    "merchant_id" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "settings" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "risk_settings_pkey" PRIMARY KEY ("merchant_id")
);

-- CreateTable
CREATE TABLE "risk_list_entry" (
    "id" TEXT NOT NULL,
    "merchant_id" TEXT NOT NULL,
    "list" "RiskList" NOT NULL,
    "subject" "RiskListSubject" NOT NULL,
    "value" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "reason" TEXT,
    "payment_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "risk_list_entry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "fraud_report" (
    "payment_id" TEXT NOT NULL,
    "merchant_id" TEXT NOT NULL,
    "reported_by" TEXT NOT NULL,
    "risk" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "fraud_report_pkey" PRIMARY KEY ("payment_id")
);

-- CreateIndex
CREATE INDEX "risk_list_entry_merchant_id_created_at_id_idx" ON "risk_list_entry"("merchant_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "risk_list_entry_merchant_id_subject_value_key" ON "risk_list_entry"("merchant_id", "subject", "value");

-- CreateIndex
CREATE INDEX "fraud_report_merchant_id_created_at_idx" ON "fraud_report"("merchant_id", "created_at" DESC);
