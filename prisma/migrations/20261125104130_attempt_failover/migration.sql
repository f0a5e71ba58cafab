-- AlterTable
ALTER TABLE "payment_attempt" ADD COLUMN     "previous_attempt_id" TEXT;
