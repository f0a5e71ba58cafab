-- Latency histogram as count columns (latency_0 … latency_21, bin N of src/analytics/latency.ts) on
-- analytics_delta and analytics_rollup, instead of one delta per sample bin and one row per bin in
-- analytics_latency_rollup: a query then reads no extra rows and PostgreSQL sums the bins. Written
-- by hand (triggers and data); the columns come from the previous migration, and the next one
-- (npm run db:diff) drops what is retired here.
--
-- The runner applies this file in one transaction. The locks keep the triggers and the fold of
-- code still running the old version out until it commits; after that, the old fold fails on the
-- renamed table (and retries) instead of folding deltas into a table that is about to be dropped.
LOCK TABLE analytics_delta, analytics_rollup, analytics_latency_rollup IN SHARE ROW EXCLUSIVE MODE;

-- Attempts: the same figures as before (20261125110913_analytics_triggers), the latency sample
-- now counted in its bin's column (+1/-1; 0 everywhere when the round trip was not measured).
CREATE OR REPLACE FUNCTION analytics_attempt_delta() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  p payment%ROWTYPE;
  brand text;
  old_gw text;
  new_gw text;
  -- The sample's bin and sign (+1/-1; 0: not measured), computed once: used by 22 columns.
  lat_bin smallint;
  lat_sign integer;
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
    lat_bin := analytics_latency_bin(OLD.latency_ms);
    lat_sign := CASE WHEN OLD.latency_ms IS NULL THEN 0 ELSE -1 END;
    INSERT INTO analytics_delta (merchant_id, hour, status, currency, gateway, card_brand, attempts_finished, attempts_succeeded,
      latency_0, latency_1, latency_2, latency_3, latency_4, latency_5, latency_6, latency_7, latency_8, latency_9, latency_10, latency_11, latency_12, latency_13, latency_14, latency_15, latency_16, latency_17, latency_18, latency_19, latency_20, latency_21)
    VALUES (OLD.merchant_id, date_trunc('hour', OLD.created_at, 'UTC'), '', OLD.currency, analytics_gateway_key(OLD.gateway_account_id, OLD.gateway), brand,
           -1, -(OLD.status = 'SUCCEEDED')::int,
           (lat_bin = 0)::int * lat_sign, (lat_bin = 1)::int * lat_sign, (lat_bin = 2)::int * lat_sign, (lat_bin = 3)::int * lat_sign, (lat_bin = 4)::int * lat_sign, (lat_bin = 5)::int * lat_sign, (lat_bin = 6)::int * lat_sign, (lat_bin = 7)::int * lat_sign,
           (lat_bin = 8)::int * lat_sign, (lat_bin = 9)::int * lat_sign, (lat_bin = 10)::int * lat_sign, (lat_bin = 11)::int * lat_sign, (lat_bin = 12)::int * lat_sign, (lat_bin = 13)::int * lat_sign, (lat_bin = 14)::int * lat_sign, (lat_bin = 15)::int * lat_sign,
           (lat_bin = 16)::int * lat_sign, (lat_bin = 17)::int * lat_sign, (lat_bin = 18)::int * lat_sign, (lat_bin = 19)::int * lat_sign, (lat_bin = 20)::int * lat_sign, (lat_bin = 21)::int * lat_sign);
  END IF;
  IF NEW.status IN ('SUCCEEDED', 'FAILED') THEN
    lat_bin := analytics_latency_bin(NEW.latency_ms);
    lat_sign := CASE WHEN NEW.latency_ms IS NULL THEN 0 ELSE 1 END;
    INSERT INTO analytics_delta (merchant_id, hour, status, currency, gateway, card_brand, attempts_finished, attempts_succeeded,
      latency_0, latency_1, latency_2, latency_3, latency_4, latency_5, latency_6, latency_7, latency_8, latency_9, latency_10, latency_11, latency_12, latency_13, latency_14, latency_15, latency_16, latency_17, latency_18, latency_19, latency_20, latency_21)
    VALUES (NEW.merchant_id, date_trunc('hour', NEW.created_at, 'UTC'), '', NEW.currency, analytics_gateway_key(NEW.gateway_account_id, NEW.gateway), brand,
           1, (NEW.status = 'SUCCEEDED')::int,
           (lat_bin = 0)::int * lat_sign, (lat_bin = 1)::int * lat_sign, (lat_bin = 2)::int * lat_sign, (lat_bin = 3)::int * lat_sign, (lat_bin = 4)::int * lat_sign, (lat_bin = 5)::int * lat_sign, (lat_bin = 6)::int * lat_sign, (lat_bin = 7)::int * lat_sign,
           (lat_bin = 8)::int * lat_sign, (lat_bin = 9)::int * lat_sign, (lat_bin = 10)::int * lat_sign, (lat_bin = 11)::int * lat_sign, (lat_bin = 12)::int * lat_sign, (lat_bin = 13)::int * lat_sign, (lat_bin = 14)::int * lat_sign, (lat_bin = 15)::int * lat_sign,
           (lat_bin = 16)::int * lat_sign, (lat_bin = 17)::int * lat_sign, (lat_bin = 18)::int * lat_sign, (lat_bin = 19)::int * lat_sign, (lat_bin = 20)::int * lat_sign, (lat_bin = 21)::int * lat_sign);
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

-- Existing data: deltas not folded yet get their sample in its bin's column; folded bins move onto
-- the rollup row of the same grain, bucket and group (attempt figures: status ''), created if absent.
UPDATE analytics_delta SET
  latency_0 = CASE latency_bin WHEN 0 THEN latency_samples ELSE 0 END, latency_1 = CASE latency_bin WHEN 1 THEN latency_samples ELSE 0 END, latency_2 = CASE latency_bin WHEN 2 THEN latency_samples ELSE 0 END,
  latency_3 = CASE latency_bin WHEN 3 THEN latency_samples ELSE 0 END, latency_4 = CASE latency_bin WHEN 4 THEN latency_samples ELSE 0 END, latency_5 = CASE latency_bin WHEN 5 THEN latency_samples ELSE 0 END,
  latency_6 = CASE latency_bin WHEN 6 THEN latency_samples ELSE 0 END, latency_7 = CASE latency_bin WHEN 7 THEN latency_samples ELSE 0 END, latency_8 = CASE latency_bin WHEN 8 THEN latency_samples ELSE 0 END,
  latency_9 = CASE latency_bin WHEN 9 THEN latency_samples ELSE 0 END, latency_10 = CASE latency_bin WHEN 10 THEN latency_samples ELSE 0 END, latency_11 = CASE latency_bin WHEN 11 THEN latency_samples ELSE 0 END,
  latency_12 = CASE latency_bin WHEN 12 THEN latency_samples ELSE 0 END, latency_13 = CASE latency_bin WHEN 13 THEN latency_samples ELSE 0 END, latency_14 = CASE latency_bin WHEN 14 THEN latency_samples ELSE 0 END,
  latency_15 = CASE latency_bin WHEN 15 THEN latency_samples ELSE 0 END, latency_16 = CASE latency_bin WHEN 16 THEN latency_samples ELSE 0 END, latency_17 = CASE latency_bin WHEN 17 THEN latency_samples ELSE 0 END,
  latency_18 = CASE latency_bin WHEN 18 THEN latency_samples ELSE 0 END, latency_19 = CASE latency_bin WHEN 19 THEN latency_samples ELSE 0 END, latency_20 = CASE latency_bin WHEN 20 THEN latency_samples ELSE 0 END,
  latency_21 = CASE latency_bin WHEN 21 THEN latency_samples ELSE 0 END
WHERE latency_samples <> 0;

INSERT INTO analytics_rollup AS t (merchant_id, grain, bucket, status, currency, gateway, card_brand,
  latency_0, latency_1, latency_2, latency_3, latency_4, latency_5, latency_6, latency_7, latency_8, latency_9, latency_10, latency_11, latency_12, latency_13, latency_14, latency_15, latency_16, latency_17, latency_18, latency_19, latency_20, latency_21)
SELECT merchant_id, grain, bucket, '', currency, gateway, card_brand,
  COALESCE(sum(samples) FILTER (WHERE bin = 0), 0), COALESCE(sum(samples) FILTER (WHERE bin = 1), 0), COALESCE(sum(samples) FILTER (WHERE bin = 2), 0), COALESCE(sum(samples) FILTER (WHERE bin = 3), 0),
  COALESCE(sum(samples) FILTER (WHERE bin = 4), 0), COALESCE(sum(samples) FILTER (WHERE bin = 5), 0), COALESCE(sum(samples) FILTER (WHERE bin = 6), 0), COALESCE(sum(samples) FILTER (WHERE bin = 7), 0),
  COALESCE(sum(samples) FILTER (WHERE bin = 8), 0), COALESCE(sum(samples) FILTER (WHERE bin = 9), 0), COALESCE(sum(samples) FILTER (WHERE bin = 10), 0), COALESCE(sum(samples) FILTER (WHERE bin = 11), 0),
  COALESCE(sum(samples) FILTER (WHERE bin = 12), 0), COALESCE(sum(samples) FILTER (WHERE bin = 13), 0), COALESCE(sum(samples) FILTER (WHERE bin = 14), 0), COALESCE(sum(samples) FILTER (WHERE bin = 15), 0),
  COALESCE(sum(samples) FILTER (WHERE bin = 16), 0), COALESCE(sum(samples) FILTER (WHERE bin = 17), 0), COALESCE(sum(samples) FILTER (WHERE bin = 18), 0), COALESCE(sum(samples) FILTER (WHERE bin = 19), 0),
  COALESCE(sum(samples) FILTER (WHERE bin = 20), 0), COALESCE(sum(samples) FILTER (WHERE bin = 21), 0)
FROM analytics_latency_rollup
GROUP BY merchant_id, grain, bucket, currency, gateway, card_brand
ON CONFLICT (merchant_id, grain, bucket, status, currency, gateway, card_brand) DO UPDATE SET
  latency_0 = t.latency_0 + EXCLUDED.latency_0, latency_1 = t.latency_1 + EXCLUDED.latency_1, latency_2 = t.latency_2 + EXCLUDED.latency_2, latency_3 = t.latency_3 + EXCLUDED.latency_3,
  latency_4 = t.latency_4 + EXCLUDED.latency_4, latency_5 = t.latency_5 + EXCLUDED.latency_5, latency_6 = t.latency_6 + EXCLUDED.latency_6, latency_7 = t.latency_7 + EXCLUDED.latency_7,
  latency_8 = t.latency_8 + EXCLUDED.latency_8, latency_9 = t.latency_9 + EXCLUDED.latency_9, latency_10 = t.latency_10 + EXCLUDED.latency_10, latency_11 = t.latency_11 + EXCLUDED.latency_11,
  latency_12 = t.latency_12 + EXCLUDED.latency_12, latency_13 = t.latency_13 + EXCLUDED.latency_13, latency_14 = t.latency_14 + EXCLUDED.latency_14, latency_15 = t.latency_15 + EXCLUDED.latency_15,
  latency_16 = t.latency_16 + EXCLUDED.latency_16, latency_17 = t.latency_17 + EXCLUDED.latency_17, latency_18 = t.latency_18 + EXCLUDED.latency_18, latency_19 = t.latency_19 + EXCLUDED.latency_19,
  latency_20 = t.latency_20 + EXCLUDED.latency_20, latency_21 = t.latency_21 + EXCLUDED.latency_21;

ALTER TABLE analytics_latency_rollup RENAME TO analytics_latency_rollup_retired;
