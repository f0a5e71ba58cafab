-- CreateTable
CREATE TABLE "analytics_delta" (
    "id" BIGSERIAL NOT NULL,
    "merchant_id" TEXT NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "status" TEXT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "gateway" TEXT NOT NULL,
    "card_brand" TEXT NOT NULL,
    "payments" INTEGER NOT NULL DEFAULT 0,
    "volume" BIGINT NOT NULL DEFAULT 0,
    "attempts_finished" INTEGER NOT NULL DEFAULT 0,
    "attempts_succeeded" INTEGER NOT NULL DEFAULT 0,
    "refunds" INTEGER NOT NULL DEFAULT 0,
    "refund_volume" BIGINT NOT NULL DEFAULT 0,
    "latency_bin" SMALLINT,
    "latency_samples" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "analytics_delta_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "analytics_rollup" (
    "merchant_id" TEXT NOT NULL,
    "grain" CHAR(1) NOT NULL,
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "status" TEXT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "gateway" TEXT NOT NULL,
    "card_brand" TEXT NOT NULL,
    "payments" INTEGER NOT NULL DEFAULT 0,
    "volume" BIGINT NOT NULL DEFAULT 0,
    "attempts_finished" INTEGER NOT NULL DEFAULT 0,
    "attempts_succeeded" INTEGER NOT NULL DEFAULT 0,
    "refunds" INTEGER NOT NULL DEFAULT 0,
    "refund_volume" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "analytics_rollup_pkey" PRIMARY KEY ("merchant_id","grain","bucket","status","currency","gateway","card_brand")
);

-- CreateTable
CREATE TABLE "analytics_latency_rollup" (
    "merchant_id" TEXT NOT NULL,
    "grain" CHAR(1) NOT NULL,
    "bucket" TIMESTAMPTZ(3) NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "gateway" TEXT NOT NULL,
    "card_brand" TEXT NOT NULL,
    "bin" SMALLINT NOT NULL,
    "samples" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "analytics_latency_rollup_pkey" PRIMARY KEY ("merchant_id","grain","bucket","currency","gateway","card_brand","bin")
);

-- CreateIndex
CREATE INDEX "analytics_delta_merchant_id_hour_idx" ON "analytics_delta"("merchant_id", "hour");
