-- The audit log replaces payment_event: one append-only log. Each payment event moves into
-- audit_record unchanged in substance (its id, type as action, request id, time; its snapshot as
-- `after`, its from-status as `before`); the chainer seals the moved rows like any new ones.
-- Events carried no actor: they are marked `system:migrated`.
INSERT INTO "audit_record" ("id", "merchant_id", "actor", "action", "entity_type", "entity_id", "request_id", "before", "after", "created_at")
SELECT "id", "merchant_id", 'system:migrated', "type", 'payment', "payment_id", coalesce("request_id", 'unknown'),
       CASE WHEN "from_status" IS NULL THEN NULL ELSE jsonb_build_object('status', "from_status") END,
       "data", "created_at"
FROM "payment_event";

-- DropTable
DROP TABLE "payment_event";

-- CreateTable
CREATE TABLE "audit_head" (
    "merchant_id" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,
    "hash" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_head_pkey" PRIMARY KEY ("merchant_id")
);

-- Append-only, enforced by the database (Prisma does not model triggers, so they live here only).
-- The one update allowed is the chainer's seal: an unsealed row gets its seq, prev_hash and hash,
-- and nothing else changes. A superuser can disable these; the hash chain is what detects that.
CREATE FUNCTION audit_record_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL AND NEW.prev_hash IS NOT NULL AND NEW.hash IS NOT NULL
     AND NEW.id = OLD.id AND NEW.merchant_id = OLD.merchant_id AND NEW.actor = OLD.actor AND NEW.action = OLD.action
     AND NEW.entity_type = OLD.entity_type AND NEW.entity_id = OLD.entity_id AND NEW.request_id = OLD.request_id
     AND NEW.before IS NOT DISTINCT FROM OLD.before AND NEW.after IS NOT DISTINCT FROM OLD.after
     AND NEW.created_at = OLD.created_at THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_record is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_record_append_only BEFORE UPDATE OR DELETE ON "audit_record"
  FOR EACH ROW EXECUTE FUNCTION audit_record_append_only();

-- The head only moves forward and is never removed.
CREATE FUNCTION audit_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.merchant_id = OLD.merchant_id AND NEW.seq > OLD.seq THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_head only moves forward (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_head_forward_only BEFORE UPDATE OR DELETE ON "audit_head"
  FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only();

CREATE FUNCTION audit_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only (TRUNCATE refused)', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_record_no_truncate BEFORE TRUNCATE ON "audit_record" FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON "audit_head" FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();
