-- AlterTable
ALTER TABLE "checkout_session" ADD COLUMN     "shopper" JSONB;
