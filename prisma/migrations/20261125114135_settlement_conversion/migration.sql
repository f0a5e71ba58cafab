-- AlterTable
ALTER TABLE "payment" ADD COLUMN     "fx_rate" TEXT,
ADD COLUMN     "fx_rate_as_of" TIMESTAMPTZ(3),
ADD COLUMN     "fx_rate_source" TEXT,
ADD COLUMN     "settlement_amount" BIGINT,
ADD COLUMN     "settlement_currency" CHAR(3);

-- AlterTable
ALTER TABLE "refund" ADD COLUMN     "gateway_amount" BIGINT,
ADD COLUMN     "gateway_currency" CHAR(3);
