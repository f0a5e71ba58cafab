-- AlterTable
ALTER TABLE "batch" DROP COLUMN "canceled",
DROP COLUMN "failed",
DROP COLUMN "invalid",
DROP COLUMN "succeeded";

-- CreateIndex
CREATE INDEX "batch_item_batch_id_status_idx" ON "batch_item"("batch_id", "status");
