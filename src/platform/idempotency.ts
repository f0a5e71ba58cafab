// Idempotency keys, scoped per merchant and stored in PostgreSQL next to the work they guard.
// The record is inserted first in the operation's own transaction: a concurrent request with the
// same key blocks on the unique index until the first commits, then reads its stored response —
// so N concurrent retries yield one effect and N identical answers, with no polling. One still
// running after 5 s makes the others answer IDEMPOTENCY_IN_PROGRESS. Callers hash the request
// as parsed (minor units, upper-case currency), so "12.5" and "12.50" are the same request.
import { createHash } from "node:crypto";
import type { Db, Tx } from "./db.js";
import { AppError, ErrorCode, badInput } from "./errors.js";
import { Prisma, type IdempotencyRecord } from "../generated/prisma/client.js";

export interface IdempotencyScope {
  merchantId: string;
  key: string | undefined;
  operation: string;
  /** The request as the client sent it, minus the key: a different request under one key is refused. */
  request: unknown;
}

export interface Codec<T> {
  encode(value: T): Prisma.InputJsonValue;
  decode(json: unknown): T;
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : typeof v === "bigint" ? v.toString() : v,
  );
}

export function requestHash(operation: string, request: unknown): string {
  return createHash("sha256").update(operation).update("\0").update(canonical(request)).digest("hex");
}

export function checkKey(key: string | undefined): string | undefined {
  if (key === undefined || key === null) return undefined;
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) throw badInput("idempotencyKey must be 1-255 printable ASCII characters", "idempotencyKey");
  return key;
}

/** How long a request waits for an earlier one with its key before answering IDEMPOTENCY_IN_PROGRESS. */
const WAIT_FOR_FIRST = "5s";

const lockTimedOut = (err: unknown): boolean => /lock timeout|55P03/i.test(String((err as Error | undefined)?.message ?? err));

/** The lock timeout of a request that waited WAIT_FOR_FIRST for an earlier one with its key: IDEMPOTENCY_IN_PROGRESS. */
export function inProgressIfLockTimedOut(key: string): (err: unknown) => never {
  return (err: unknown) => {
    if (lockTimedOut(err)) throw new AppError(ErrorCode.IDEMPOTENCY_IN_PROGRESS, `A request with idempotency key '${key}' is still in progress; retry later`);
    throw err;
  };
}

/** An earlier request's record under the key: refused if it was a different request. */
function sameRequest(existing: IdempotencyRecord, scope: IdempotencyScope, key: string, hash: string): IdempotencyRecord {
  if (existing.operation !== scope.operation || existing.requestHash !== hash) {
    throw new AppError(ErrorCode.IDEMPOTENCY_KEY_REUSED, `Idempotency key '${key}' was already used for a different request`, { operation: existing.operation });
  }
  return existing;
}

/**
 * Inserts the key's record (IN_PROGRESS) in the caller's transaction, or returns the record of an
 * earlier request with the key (after checking it was the same request). A request arriving while
 * the first one's transaction runs waits on the unique index, bounded by a lock timeout.
 */
export async function claimKey(tx: Tx, scope: IdempotencyScope, key: string): Promise<IdempotencyRecord | undefined> {
  const hash = requestHash(scope.operation, scope.request);
  // The wait is bounded by a lock timeout set in the same statement (set_config(…, true) lasts to
  // the end of the transaction: no request of ours should wait that long on any row lock either).
  const inserted = await tx.$executeRaw`
    WITH wait AS (SELECT set_config('lock_timeout', ${WAIT_FOR_FIRST}, true))
    INSERT INTO idempotency_record (merchant_id, key, operation, request_hash, state)
    SELECT ${scope.merchantId}, ${key}, ${scope.operation}, ${hash}, 'IN_PROGRESS' FROM wait
    ON CONFLICT DO NOTHING`.catch(inProgressIfLockTimedOut(key));
  if (inserted === 1) return undefined;
  const existing = await tx.idempotencyRecord.findUniqueOrThrow({ where: { merchantId_key: { merchantId: scope.merchantId, key } } });
  return sameRequest(existing, scope, key, hash);
}

/**
 * For an operation written as one statement, whose answer is known before it writes
 * (createPayment): the CTEs `wait` and `claim` that store the key's record COMPLETED with that
 * answer. `claim` returns a row only if the key was free; the statement's writes select FROM it,
 * so a request whose key is taken writes nothing and reads the stored answer (`storedAnswer`).
 * A request arriving while the first one's statement runs waits on the unique index, bounded by
 * the lock timeout (run the statement with `.catch(inProgressIfLockTimedOut(key))`).
 */
export function claimAnsweredSql(scope: IdempotencyScope, key: string, answer: Prisma.InputJsonValue): Prisma.Sql {
  return Prisma.sql`wait AS (SELECT set_config('lock_timeout', ${WAIT_FOR_FIRST}, true)),
    claim AS (
      INSERT INTO idempotency_record (merchant_id, key, operation, request_hash, state, response)
      SELECT ${scope.merchantId}, ${key}, ${scope.operation}, ${requestHash(scope.operation, scope.request)}, 'COMPLETED', ${JSON.stringify(answer)}::jsonb FROM wait
      ON CONFLICT DO NOTHING RETURNING 1)`;
}

/** The answer stored under the key (one that `claimAnsweredSql` found taken); undefined if none is. */
export async function storedAnswer<T>(db: Db, scope: IdempotencyScope, key: string, codec: Codec<T>): Promise<T | undefined> {
  const existing = await db.idempotencyRecord.findUnique({ where: { merchantId_key: { merchantId: scope.merchantId, key } } });
  return existing ? answerOf(sameRequest(existing, scope, key, requestHash(scope.operation, scope.request)), key, codec) : undefined;
}

function answerOf<T>(existing: IdempotencyRecord, key: string, codec: Codec<T>): T {
  if (existing.state !== "COMPLETED" || existing.response === null) {
    throw new AppError(ErrorCode.IDEMPOTENCY_IN_PROGRESS, `A request with idempotency key '${key}' is still in progress`);
  }
  return codec.decode(existing.response);
}

/** Stores the answer under a key claimed by `claimKey`. */
export async function answerKey<T>(tx: Tx, merchantId: string, key: string, codec: Codec<T>, result: T): Promise<void> {
  await tx.idempotencyRecord.update({ where: { merchantId_key: { merchantId, key } }, data: { state: "COMPLETED", response: codec.encode(result) } });
}

export async function idempotent<T>(db: Db, scope: IdempotencyScope, codec: Codec<T>, run: (tx: Tx) => Promise<T>): Promise<T> {
  const key = checkKey(scope.key);
  if (key === undefined) return db.$transaction(run);
  return db.$transaction(async (tx) => {
    const existing = await claimKey(tx, scope, key);
    if (!existing) {
      const result = await run(tx);
      await answerKey(tx, scope.merchantId, key, codec, result);
      return result;
    }
    return answerOf(existing, key, codec);
  });
}
