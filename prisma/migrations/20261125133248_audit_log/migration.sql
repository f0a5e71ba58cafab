-- CreateTable
CREATE TABLE "audit_record" (
    "id" TEXT NOT NULL,
    "merchant_id" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "entity_type" TEXT NOT NULL,
    "entity_id" TEXT NOT NULL,
    "request_id" TEXT NOT NULL,
    "before" JSONB,
    "after" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "seq" BIGINT,
    "prev_hash" TEXT,
    "hash" TEXT,

    CONSTRAINT "audit_record_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "audit_record_merchant_id_created_at_id_idx" ON "audit_record"("merchant_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "audit_record_merchant_id_entity_id_idx" ON "audit_record"("merchant_id", "entity_id");

-- CreateIndex
CREATE UNIQUE INDEX "audit_record_merchant_id_seq_key" ON "audit_record"("merchant_id", "seq");
