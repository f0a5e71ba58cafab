-- Analytics change capture, written by hand (Prisma's schema cannot express functions or
-- triggers; `npm run db:diff -- --check` ignores them). Every change of a payment, an attempt or a
-- refund appends signed rows to analytics_delta: minus what the row contributed before, plus what
-- it contributes now. Nothing shared is updated here, so a merchant's payments never wait on one
-- another's row locks; the fold job (src/analytics/fold.ts) sums the deltas into analytics_rollup.
-- Figures and dimensions are defined in src/analytics/README.md.

-- The latency histogram's bin of a gateway round trip: bin i holds bounds[i-1] < ms <= bounds[i],
-- the last bin everything above the last bound. Same bounds as LATENCY_BOUNDS_MS in
-- src/analytics/latency.ts (a unit test compares them).
CREATE FUNCTION analytics_latency_bin(ms integer) RETURNS smallint LANGUAGE sql IMMUTABLE AS $$
  SELECT count(*)::smallint
  FROM unnest(ARRAY[10, 25, 50, 75, 100, 150, 200, 300, 400, 500, 750, 1000, 1500, 2000, 3000, 5000, 7500, 10000, 15000, 30000, 60000]) AS bound
  WHERE bound < ms
$$;

-- An attempt's gateway as a group key: the merchant's gateway account, or the server's default gateway by name.
CREATE FUNCTION analytics_gateway_key(account_id text, gateway text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT COALESCE(account_id, 'default:' || gateway)
$$;

-- The brand of a payment's card ('' before a card is attached). Vaulted cards never change.
CREATE FUNCTION analytics_card_brand(method_id text) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT COALESCE((SELECT brand FROM payment_method WHERE id = method_id), '')
$$;

-- A payment's gateway: that of its first succeeded attempt ('' while none succeeded).
CREATE FUNCTION analytics_payment_gateway(p_id text) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT COALESCE((
    SELECT analytics_gateway_key(gateway_account_id, gateway) FROM payment_attempt
    WHERE payment_id = p_id AND status = 'SUCCEEDED' ORDER BY created_at, id LIMIT 1), '')
$$;

-- Payments: count and captured volume, in the hour the payment was created, grouped by its
-- current status, currency, gateway and card brand.
CREATE FUNCTION analytics_payment_delta() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  gw text := analytics_payment_gateway(NEW.id);
BEGIN
  IF TG_OP = 'UPDATE' THEN
    INSERT INTO analytics_delta (merchant_id, hour, status, currency, gateway, card_brand, payments, volume)
    VALUES (OLD.merchant_id, date_trunc('hour', OLD.created_at, 'UTC'), OLD.status::text, OLD.currency, gw,
            analytics_card_brand(OLD.payment_method_id), -1, -OLD.amount_captured);
  END IF;
  INSERT INTO analytics_delta (merchant_id, hour, status, currency, gateway, card_brand, payments, volume)
  VALUES (NEW.merchant_id, date_trunc('hour', NEW.created_at, 'UTC'), NEW.status::text, NEW.currency, gw,
          analytics_card_brand(NEW.payment_method_id), 1, NEW.amount_captured);
  RETURN NULL;
END $$;

CREATE TRIGGER analytics_payment_insert AFTER INSERT ON payment
  FOR EACH ROW EXECUTE FUNCTION analytics_payment_delta();
-- Only changes that move a figure: a version bump or a pending refund appends nothing.
CREATE TRIGGER analytics_payment_update AFTER UPDATE ON payment
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.amount_captured IS DISTINCT FROM NEW.amount_captured
    OR OLD.payment_method_id IS DISTINCT FROM NEW.payment_method_id OR OLD.currency IS DISTINCT FROM NEW.currency
    OR OLD.created_at IS DISTINCT FROM NEW.created_at OR OLD.merchant_id IS DISTINCT FROM NEW.merchant_id)
  EXECUTE FUNCTION analytics_payment_delta();

-- Attempts: finished (SUCCEEDED or FAILED) and succeeded attempts and their latency, in the hour
-- the attempt was created, by currency, gateway and the payment's card brand. When the attempt
-- changes which gateway its payment is attributed to (its first success), the payment's own
-- contribution moves from the old gateway to the new one.
CREATE FUNCTION analytics_attempt_delta() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  p payment%ROWTYPE;
  brand text;
  old_gw text;
  new_gw text;
  moves boolean := (NEW.status = 'SUCCEEDED') IS DISTINCT FROM (TG_OP = 'UPDATE' AND OLD.status = 'SUCCEEDED')
    OR (NEW.status = 'SUCCEEDED' AND analytics_gateway_key(NEW.gateway_account_id, NEW.gateway) IS DISTINCT FROM analytics_gateway_key(OLD.gateway_account_id, OLD.gateway));
BEGIN
  IF moves THEN
    -- Locked, so that a concurrent change of the payment cannot move its contribution from a
    -- gateway it no longer has; the transaction finishing an attempt updates the payment anyway.
    SELECT * INTO p FROM payment WHERE id = NEW.payment_id FOR UPDATE;
  ELSE
    SELECT * INTO p FROM payment WHERE id = NEW.payment_id;
  END IF;
  brand := analytics_card_brand(p.payment_method_id);
  IF TG_OP = 'UPDATE' AND OLD.status IN ('SUCCEEDED', 'FAILED') THEN
    INSERT INTO analytics_delta (merchant_id, hour, status, currency, gateway, card_brand, attempts_finished, attempts_succeeded, latency_bin, latency_samples)
    VALUES (OLD.merchant_id, date_trunc('hour', OLD.created_at, 'UTC'), '', OLD.currency, analytics_gateway_key(OLD.gateway_account_id, OLD.gateway), brand,
            -1, -(OLD.status = 'SUCCEEDED')::int, analytics_latency_bin(OLD.latency_ms), CASE WHEN OLD.latency_ms IS NULL THEN 0 ELSE -1 END);
  END IF;
  IF NEW.status IN ('SUCCEEDED', 'FAILED') THEN
    INSERT INTO analytics_delta (merchant_id, hour, status, currency, gateway, card_brand, attempts_finished, attempts_succeeded, latency_bin, latency_samples)
    VALUES (NEW.merchant_id, date_trunc('hour', NEW.created_at, 'UTC'), '', NEW.currency, analytics_gateway_key(NEW.gateway_account_id, NEW.gateway), brand,
            1, (NEW.status = 'SUCCEEDED')::int, analytics_latency_bin(NEW.latency_ms), CASE WHEN NEW.latency_ms IS NULL THEN 0 ELSE 1 END);
  END IF;
  IF moves AND p.id IS NOT NULL THEN
    new_gw := analytics_payment_gateway(NEW.payment_id);
    old_gw := COALESCE((
      SELECT g FROM (
        SELECT created_at, id, analytics_gateway_key(gateway_account_id, gateway) AS g FROM payment_attempt
        WHERE payment_id = NEW.payment_id AND status = 'SUCCEEDED' AND id <> NEW.id
        UNION ALL
        SELECT OLD.created_at, OLD.id, analytics_gateway_key(OLD.gateway_account_id, OLD.gateway) WHERE TG_OP = 'UPDATE' AND OLD.status = 'SUCCEEDED'
      ) AS succeeded ORDER BY created_at, id LIMIT 1), '');
    IF old_gw IS DISTINCT FROM new_gw THEN
      INSERT INTO analytics_delta (merchant_id, hour, status, currency, gateway, card_brand, payments, volume)
      VALUES (p.merchant_id, date_trunc('hour', p.created_at, 'UTC'), p.status::text, p.currency, old_gw, brand, -1, -p.amount_captured),
             (p.merchant_id, date_trunc('hour', p.created_at, 'UTC'), p.status::text, p.currency, new_gw, brand, 1, p.amount_captured);
    END IF;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER analytics_attempt_insert AFTER INSERT ON payment_attempt
  FOR EACH ROW WHEN (NEW.status IN ('SUCCEEDED', 'FAILED'))
  EXECUTE FUNCTION analytics_attempt_delta();
-- Bumping `tries` or recording a transient error on a PENDING attempt appends nothing.
CREATE TRIGGER analytics_attempt_update AFTER UPDATE ON payment_attempt
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status
    OR ((OLD.status IN ('SUCCEEDED', 'FAILED') OR NEW.status IN ('SUCCEEDED', 'FAILED'))
      AND (OLD.latency_ms IS DISTINCT FROM NEW.latency_ms OR OLD.gateway_account_id IS DISTINCT FROM NEW.gateway_account_id
        OR OLD.gateway IS DISTINCT FROM NEW.gateway OR OLD.currency IS DISTINCT FROM NEW.currency OR OLD.created_at IS DISTINCT FROM NEW.created_at)))
  EXECUTE FUNCTION analytics_attempt_delta();

-- Refunds: succeeded refunds and their amount, in the hour the refund was requested, by currency,
-- the payment's gateway and card brand (both fixed once a payment is captured, before any refund).
CREATE FUNCTION analytics_refund_delta() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  p payment%ROWTYPE;
BEGIN
  SELECT * INTO p FROM payment WHERE id = NEW.payment_id;
  IF TG_OP = 'UPDATE' AND OLD.status = 'SUCCEEDED' THEN
    INSERT INTO analytics_delta (merchant_id, hour, status, currency, gateway, card_brand, refunds, refund_volume)
    VALUES (OLD.merchant_id, date_trunc('hour', OLD.created_at, 'UTC'), '', OLD.currency, analytics_payment_gateway(OLD.payment_id),
            analytics_card_brand(p.payment_method_id), -1, -OLD.amount);
  END IF;
  IF NEW.status = 'SUCCEEDED' THEN
    INSERT INTO analytics_delta (merchant_id, hour, status, currency, gateway, card_brand, refunds, refund_volume)
    VALUES (NEW.merchant_id, date_trunc('hour', NEW.created_at, 'UTC'), '', NEW.currency, analytics_payment_gateway(NEW.payment_id),
            analytics_card_brand(p.payment_method_id), 1, NEW.amount);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER analytics_refund_insert AFTER INSERT ON refund
  FOR EACH ROW WHEN (NEW.status = 'SUCCEEDED')
  EXECUTE FUNCTION analytics_refund_delta();
CREATE TRIGGER analytics_refund_update AFTER UPDATE ON refund
  FOR EACH ROW WHEN ((OLD.status = 'SUCCEEDED' OR NEW.status = 'SUCCEEDED') AND (OLD.status IS DISTINCT FROM NEW.status
    OR OLD.amount IS DISTINCT FROM NEW.amount OR OLD.currency IS DISTINCT FROM NEW.currency OR OLD.created_at IS DISTINCT FROM NEW.created_at))
  EXECUTE FUNCTION analytics_refund_delta();
