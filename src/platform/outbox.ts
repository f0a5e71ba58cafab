// The transactional outbox. A change writes its messages in the same transaction as the change;
// they are moved to Redis (pub/sub, BullMQ) and deleted only once Redis has them, so a message is
// never lost between PostgreSQL and Redis. Delivery is at least once: receivers use `version` or
// job ids to drop duplicates, and must not rely on order.
//
// Two paths. The fast one: `commit()` collects what its transaction wrote and, once committed,
// sends exactly those messages and deletes their rows (one pipeline, one DELETE, no extra
// transaction). The safety net: a poller relays rows older than a second (a crash or a Redis
// outage between commit and send) under SKIP LOCKED, so several processes can poll at once.
// A relay takes only the topics it has handlers for: a newer release's message waits for a
// process that knows it.
import { AsyncLocalStorage } from "node:async_hooks";
import type { Db, Tx } from "./db.js";
import type { Logger } from "./logger.js";
import { Prisma } from "../generated/prisma/client.js";

export type OutboxHandler = (payloads: unknown[]) => Promise<void>;
export interface OutboxMessage { topic: string; payload: unknown }
interface Written extends OutboxMessage { id: bigint }

/** The messages written by the unit of work `commit()` is running, to send once it commits. */
const unitOfWork = new AsyncLocalStorage<Written[]>();

export async function writeOutbox(tx: Tx, messages: OutboxMessage[]): Promise<void> {
  if (messages.length === 0) return;
  const rows = await tx.outboxMessage.createManyAndReturn({
    data: messages.map((m) => ({ topic: m.topic, payload: m.payload as Prisma.InputJsonValue })),
    select: { id: true },
  });
  unitOfWork.getStore()?.push(...messages.map((m, i) => ({ ...m, id: rows[i]?.id ?? -1n })));
}

/**
 * The same insert as one INSERT … SELECT FROM `guard` RETURNING id, for a caller that writes its
 * change and its messages in one statement; it hands the returned ids to `noteOutboxWritten`.
 */
export function outboxInsertSql(messages: OutboxMessage[], guard: Prisma.Sql): Prisma.Sql {
  const topics = messages.map((m) => m.topic);
  const payloads = messages.map((m) => JSON.stringify(m.payload));
  return Prisma.sql`INSERT INTO outbox_message (topic, payload)
    SELECT m.topic, m.payload FROM ${guard}, unnest(${topics}::text[], ${payloads}::jsonb[]) WITH ORDINALITY AS m(topic, payload, n)
    ORDER BY m.n RETURNING id`;
}

/** Adds messages written by `outboxInsertSql` to the running unit of work (sent once it commits). */
export function noteOutboxWritten(messages: OutboxMessage[], ids: bigint[]): void {
  unitOfWork.getStore()?.push(...messages.map((m, i) => ({ ...m, id: ids[i] ?? -1n })));
}

const BATCH = 500;
/**
 * Sent rows are deleted together this often: one DELETE (one commit) for all the commits of a
 * quarter second, not one per commit. Well inside POLL_AFTER_MS, so the poller of another process
 * rarely sees a sent row (if it does, the message goes out twice: receivers drop duplicates).
 */
const SWEEP_AFTER_MS = 250;
/** The poller leaves younger rows to the fast path of the process that wrote them. */
const POLL_AFTER_MS = 1_000;
/** A handler that cannot reach Redis must fail fast: the poller's transaction holds row locks. */
const HANDLER_TIMEOUT_MS = 5_000;

function withTimeout<T>(promise: Promise<T>, topic: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`outbox handler '${topic}' timed out`)), HANDLER_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class OutboxRelay {
  private polling: Promise<void> | undefined;
  /** Rows already sent, deleted together a few milliseconds later: one DELETE for many commits. */
  private sent: bigint[] = [];
  private sweeping: NodeJS.Timeout | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly topics: string[];

  constructor(
    private readonly db: Db,
    private readonly handlers: Record<string, OutboxHandler>,
    private readonly log: Logger,
  ) {
    this.topics = Object.keys(handlers);
  }

  /**
   * Runs `work` (which commits a transaction); then sends what it wrote to the outbox. The send
   * is not awaited: the caller's answer does not wait for Redis, and a failed send is left to the poller.
   */
  async commit<T>(work: () => Promise<T>): Promise<T> {
    const written: Written[] = [];
    const result = await unitOfWork.run(written, work);
    if (written.length) {
      this.send(written).catch((err: unknown) => this.log.warn({ err }, "outbox send failed; the poller will retry"));
    }
    return result;
  }

  start(pollMs: number): void {
    this.timer = setInterval(() => this.poll(), pollMs);
    this.timer.unref();
    this.poll();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    clearTimeout(this.sweeping);
    await this.sweep();
    await this.polling;
  }

  private async dispatch(messages: OutboxMessage[]): Promise<void> {
    const byTopic = new Map<string, unknown[]>();
    for (const m of messages) {
      const list = byTopic.get(m.topic);
      if (list) list.push(m.payload);
      else byTopic.set(m.topic, [m.payload]);
    }
    await Promise.all([...byTopic].map(([topic, payloads]) => {
      const handler = this.handlers[topic];
      if (!handler) throw new Error(`no outbox handler for topic '${topic}'`);
      return withTimeout(handler(payloads), topic);
    }));
  }

  private async send(written: Written[]): Promise<void> {
    await this.dispatch(written);
    this.sent.push(...written.map((w) => w.id));
    // A crash before the sweep only means these are sent again by the poller (at least once).
    this.sweeping ??= setTimeout(() => void this.sweep(), SWEEP_AFTER_MS);
  }

  private async sweep(): Promise<void> {
    const ids = this.sent;
    this.sent = [];
    this.sweeping = undefined;
    if (ids.length === 0) return;
    await this.db.$executeRaw`DELETE FROM outbox_message WHERE id = ANY(${ids})`.catch((err: unknown) => {
      this.log.warn({ err }, "outbox sweep failed; the poller will resend those messages");
    });
  }

  private poll(): void {
    if (this.polling) return;
    this.polling = this.drain()
      .catch((err: unknown) => this.log.warn({ err }, "outbox poll failed; will retry"))
      .finally(() => (this.polling = undefined));
  }

  private async drain(): Promise<void> {
    for (;;) {
      const relayed = await this.db.$transaction(async (tx) => {
        const rows = await tx.$queryRaw<Written[]>`
          DELETE FROM outbox_message WHERE id IN (
            SELECT id FROM outbox_message
            WHERE topic = ANY(${this.topics}) AND created_at < now() - make_interval(secs => ${POLL_AFTER_MS / 1000})
            ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
          RETURNING id, topic, payload`;
        rows.sort((a, b) => (a.id < b.id ? -1 : 1)); // insert order, mostly the order of changes
        // Throwing here rolls the delete back: the rows stay for the next poll.
        await this.dispatch(rows);
        return rows.length;
      });
      if (relayed < BATCH) return;
    }
  }
}
