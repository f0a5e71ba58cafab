-- AlterTable
ALTER TABLE "analytics_delta" DROP COLUMN "latency_bin",
DROP COLUMN "latency_samples";

-- DropTable
DROP TABLE "analytics_latency_rollup_retired";
