-- CreateEnum
CREATE TYPE "ApiKeyKind" AS ENUM ('SECRET', 'PUBLISHABLE', 'RESTRICTED');

-- AlterTable
ALTER TABLE "api_key" ADD COLUMN     "expires_at" TIMESTAMPTZ(3),
ADD COLUMN     "kind" "ApiKeyKind" NOT NULL DEFAULT 'SECRET',
ADD COLUMN     "name" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "rolled_to_id" TEXT,
ADD COLUMN     "scopes" TEXT[] DEFAULT ARRAY[]::TEXT[];
