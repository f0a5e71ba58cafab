-- CreateEnum
CREATE TYPE "ApiKeyRole" AS ENUM ('MERCHANT', 'ADMIN');

-- AlterTable
ALTER TABLE "api_key" ADD COLUMN     "role" "ApiKeyRole" NOT NULL DEFAULT 'MERCHANT';

-- CreateTable
CREATE TABLE "exchange_rate" (
    "id" BIGSERIAL NOT NULL,
    "base" CHAR(3) NOT NULL,
    "quote" CHAR(3) NOT NULL,
    "rate" DECIMAL(30,18) NOT NULL,
    "source" TEXT NOT NULL,
    "as_of" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "exchange_rate_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "exchange_rate_base_quote_as_of_created_at_idx" ON "exchange_rate"("base", "quote", "as_of" DESC, "created_at" DESC);

-- CreateIndex
CREATE INDEX "exchange_rate_quote_base_as_of_idx" ON "exchange_rate"("quote", "base", "as_of" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "exchange_rate_base_quote_source_as_of_key" ON "exchange_rate"("base", "quote", "source", "as_of");

-- Written by hand (Prisma's schema cannot express CHECK constraints; `npm run db:diff -- --check`
-- ignores them): a rate is positive, and a pair is two different currencies.
ALTER TABLE "exchange_rate"
  ADD CONSTRAINT "exchange_rate_rate_positive" CHECK ("rate" > 0),
  ADD CONSTRAINT "exchange_rate_distinct_currencies" CHECK ("base" <> "quote");
