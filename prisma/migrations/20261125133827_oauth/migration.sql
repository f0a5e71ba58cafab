-- CreateTable
CREATE TABLE "oauth_client" (
    "id" TEXT NOT NULL,
    "merchant_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "scopes" TEXT[],
    "secret_hash" TEXT NOT NULL,
    "last4" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "oauth_client_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "oauth_signing_key" (
    "id" TEXT NOT NULL,
    "public_jwk" JSONB NOT NULL,
    "private_key" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "active_until" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "oauth_signing_key_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "oauth_client_secret_hash_key" ON "oauth_client"("secret_hash");

-- CreateIndex
CREATE INDEX "oauth_client_merchant_id_created_at_idx" ON "oauth_client"("merchant_id", "created_at");

-- CreateIndex
CREATE INDEX "oauth_signing_key_active_until_idx" ON "oauth_signing_key"("active_until");
