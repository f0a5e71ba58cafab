-- AlterTable
ALTER TABLE "payment" ADD COLUMN     "risk" JSONB;
