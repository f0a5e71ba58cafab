// The transactional outbox. A change writes its messages in the same transaction as the change;
// the relay moves them to Redis (pub/sub, BullMQ) and deletes them only once Redis has them, so a
// message is never lost between PostgreSQL and Redis (at-least-once: receivers use `version` or
// job ids to drop duplicates, and must not rely on order: ids are taken at insert, not at commit,
// and several processes relay at once, SKIP LOCKED splitting the rows). A relay takes only the
// topics it has handlers for, so a message from a newer release waits for a process that knows it.
import type { Db, Tx } from "./db.js";
import type { Logger } from "./logger.js";
import { Prisma } from "../generated/prisma/client.js";

export type OutboxHandler = (payloads: unknown[]) => Promise<void>;
export interface OutboxMessage { topic: string; payload: unknown }

export async function writeOutbox(tx: Tx, messages: OutboxMessage[]): Promise<void> {
  if (messages.length === 0) return;
  await tx.outboxMessage.createMany({
    data: messages.map((m) => ({ topic: m.topic, payload: m.payload as Prisma.InputJsonValue })),
  });
}

const BATCH = 500;
/** A handler that cannot reach Redis must fail fast: the relay's transaction holds row locks. */
const HANDLER_TIMEOUT_MS = 5_000;

function withTimeout<T>(promise: Promise<T>, topic: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`outbox handler '${topic}' timed out`)), HANDLER_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class OutboxRelay {
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly topics: string[];

  constructor(
    private readonly db: Db,
    private readonly handlers: Record<string, OutboxHandler>,
    private readonly log: Logger,
  ) {
    this.topics = Object.keys(handlers);
  }

  start(pollMs: number): void {
    this.timer = setInterval(() => this.kick(), pollMs);
    this.timer.unref();
    this.kick();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Relay now (after a local commit); coalesces with a run already going. */
  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((err: unknown) => this.log.warn({ err }, "outbox relay failed; will retry"))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async drain(): Promise<void> {
    for (;;) {
      const relayed = await this.db.$transaction(async (tx) => {
        const rows = await tx.$queryRaw<{ id: bigint; topic: string; payload: unknown }[]>`
          DELETE FROM outbox_message WHERE id IN (
            SELECT id FROM outbox_message WHERE topic = ANY(${this.topics}) ORDER BY id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
          RETURNING id, topic, payload`;
        rows.sort((a, b) => (a.id < b.id ? -1 : 1)); // insert order, mostly the order of changes
        const byTopic = new Map<string, unknown[]>();
        for (const row of rows) {
          const list = byTopic.get(row.topic);
          if (list) list.push(row.payload);
          else byTopic.set(row.topic, [row.payload]);
        }
        // Throwing here rolls the delete back: the rows stay for the next run.
        await Promise.all([...byTopic].map(([topic, payloads]) => withTimeout((this.handlers[topic] as OutboxHandler)(payloads), topic)));
        return rows.length;
      });
      if (relayed < BATCH) return;
    }
  }
}
