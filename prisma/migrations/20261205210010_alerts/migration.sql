-- CreateEnum
CREATE TYPE "AlertKind" AS ENUM ('GATEWAY_SUCCESS_RATE_BELOW', 'DECLINE_CODE_SHARE_ABOVE', 'CIRCUIT_OPEN', 'QUEUE_AGE_ABOVE', 'WEBHOOK_ENDPOINT_FAILING', 'GATEWAY_LATENCY_P99_ABOVE');

-- CreateEnum
CREATE TYPE "AlertState" AS ENUM ('FIRING', 'RESOLVED');

-- CreateEnum
CREATE TYPE "AlertNotificationStatus" AS ENUM ('PENDING', 'SENT', 'FAILED');

-- CreateTable
CREATE TABLE "alert_rule" (
    "id" TEXT NOT NULL,
    "merchant_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "AlertKind" NOT NULL,
    "condition" JSONB NOT NULL,
    "channels" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alert_rule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert" (
    "id" TEXT NOT NULL,
    "merchant_id" TEXT NOT NULL,
    "rule_id" TEXT,
    "rule_name" TEXT NOT NULL,
    "kind" "AlertKind" NOT NULL,
    "subject" TEXT NOT NULL,
    "dedup_key" TEXT NOT NULL,
    "state" "AlertState" NOT NULL,
    "fired_value" DOUBLE PRECISION NOT NULL,
    "last_value" DOUBLE PRECISION NOT NULL,
    "threshold" DOUBLE PRECISION NOT NULL,
    "summary" TEXT NOT NULL,
    "clear_since" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alert_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert_notification" (
    "id" TEXT NOT NULL,
    "merchant_id" TEXT NOT NULL,
    "alert_id" TEXT NOT NULL,
    "transition" "AlertState" NOT NULL,
    "channel" INTEGER NOT NULL,
    "channel_kind" TEXT NOT NULL,
    "status" "AlertNotificationStatus" NOT NULL,
    "tries" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),

    CONSTRAINT "alert_notification_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "alert_rule_merchant_id_created_at_id_idx" ON "alert_rule"("merchant_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "alert_merchant_id_created_at_id_idx" ON "alert"("merchant_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "alert_rule_id_state_idx" ON "alert"("rule_id", "state");

-- CreateIndex
CREATE UNIQUE INDEX "alert_notification_alert_id_transition_channel_key" ON "alert_notification"("alert_id", "transition", "channel");

-- AddForeignKey
ALTER TABLE "alert" ADD CONSTRAINT "alert_rule_id_fkey" FOREIGN KEY ("rule_id") REFERENCES "alert_rule"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_notification" ADD CONSTRAINT "alert_notification_alert_id_fkey" FOREIGN KEY ("alert_id") REFERENCES "alert"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- One open incident per de-duplication key, however many evaluators race (not expressible in schema.prisma).
CREATE UNIQUE INDEX "alert_one_firing_per_dedup_key" ON "alert"("dedup_key") WHERE "state" = 'FIRING';
