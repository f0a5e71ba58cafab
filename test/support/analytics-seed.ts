// Exact seeding for analytics tests: rows written straight into a stack's database with chosen
// timestamps, through the same triggers the service's own writes fire.
import { randomBytes } from "node:crypto";
import pg from "pg";

const id = (prefix: string): string => `${prefix}_${randomBytes(11).toString("hex")}`;

export interface SeedPayment {
  status: string;
  currency: string;
  amount: bigint;
  captured?: bigint;
  refunded?: bigint;
  createdAt: string;
  cardId?: string;
}

export interface SeedAttempt { paymentId: string; status: string; latencyMs?: number; createdAt: string; gatewayAccountId?: string; gateway?: string }

export class Seeder {
  private constructor(private readonly db: pg.Client, readonly merchantId: string) {}

  static async connect(databaseUrl: string, merchantId: string): Promise<Seeder> {
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    return new Seeder(db, merchantId);
  }

  forMerchant(merchantId: string): Seeder {
    return new Seeder(this.db, merchantId);
  }

  async card(brand: string): Promise<string> {
    const cardId = id("pm");
    await this.db.query(
      "INSERT INTO payment_method (id, merchant_id, brand, last4, exp_month, exp_year, fingerprint, ciphertext, key_id) VALUES ($1, $2, $3, '4242', 12, 2030, $1, '\\x00', 'k')",
      [cardId, this.merchantId, brand],
    );
    return cardId;
  }

  async gatewayAccount(name: string): Promise<string> {
    const accountId = id("gwa");
    await this.db.query("INSERT INTO gateway_account (id, merchant_id, name, kind, config_ciphertext, currencies, card_brands) VALUES ($1, $2, $3, 'SANDBOX', '\\x00', '{}', '{}')", [accountId, this.merchantId, name]);
    return accountId;
  }

  async payment(p: SeedPayment): Promise<string> {
    const paymentId = id("pay");
    await this.db.query(
      `INSERT INTO payment (id, merchant_id, status, currency, amount, amount_captured, amount_refunded, capture_method, payment_method_id, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'AUTOMATIC', $8, $9, $9)`,
      [paymentId, this.merchantId, p.status, p.currency, p.amount, p.captured ?? 0n, p.refunded ?? 0n, p.cardId ?? null, p.createdAt],
    );
    return paymentId;
  }

  async attempt(a: SeedAttempt): Promise<string> {
    const attemptId = id("att");
    await this.db.query(
      `INSERT INTO payment_attempt (id, merchant_id, payment_id, gateway, gateway_account_id, status, amount, currency, latency_ms, created_at, updated_at)
       SELECT $1, merchant_id, id, $3, $4, $5, amount, currency, $6, $7, $7 FROM payment WHERE id = $2`,
      [attemptId, a.paymentId, a.gateway ?? "sandbox", a.gatewayAccountId ?? null, a.status, a.latencyMs ?? null, a.createdAt],
    );
    return attemptId;
  }

  async refund(paymentId: string, amount: bigint, status: string, createdAt: string): Promise<string> {
    const refundId = id("re");
    await this.db.query(
      `INSERT INTO refund (id, merchant_id, payment_id, amount, currency, status, created_at, updated_at)
       SELECT $1, merchant_id, id, $3, currency, $4, $5, $5 FROM payment WHERE id = $2`,
      [refundId, paymentId, amount, status, createdAt],
    );
    return refundId;
  }

  async sql(text: string, values: unknown[] = []): Promise<pg.QueryResultRow[]> {
    return (await this.db.query(text, values)).rows;
  }

  async unfoldedDeltas(): Promise<number> {
    return Number((await this.db.query<{ n: string }>("SELECT count(*) AS n FROM analytics_delta")).rows[0]?.n);
  }

  close(): Promise<void> {
    return this.db.end();
  }
}
