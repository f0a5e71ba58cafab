-- CreateTable
CREATE TABLE "vault_data_key" (
    "id" TEXT NOT NULL,
    "merchant_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "slot" TEXT,
    "kek_id" TEXT NOT NULL,
    "wrapped" BYTEA NOT NULL,
    "uses" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "rewrapped_at" TIMESTAMPTZ(3),

    CONSTRAINT "vault_data_key_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "vault_data_key_slot_key" ON "vault_data_key"("slot");

-- CreateIndex
CREATE INDEX "vault_data_key_kek_id_idx" ON "vault_data_key"("kek_id");

-- CreateIndex
CREATE INDEX "vault_data_key_merchant_id_kind_created_at_idx" ON "vault_data_key"("merchant_id", "kind", "created_at");
