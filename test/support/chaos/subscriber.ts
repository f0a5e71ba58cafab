// The chaos run's dashboard: one merchant-wide `paymentUpdated` subscription over graphql-ws that
// stays for the whole run. When its socket drops (its api process was killed) it reconnects (to
// the next api) and resubscribes, then resyncs: it reads every payment's event trail and takes the versions it could
// have missed while away — those above the highest version it had received of that payment when
// the socket dropped. A version lost while it was connected is never filled in: the checker sees it.
import { print } from "graphql";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { PaymentUpdatedDocument } from "../../../client/src/generated/graphql.js";

const RESYNC_QUERY = `query ChaosResync($after: String) {
  payments(first: 50, after: $after) { edges { node { id events { nodes { version } } } } pageInfo { hasNextPage endCursor } }
}`;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface Subscriber {
  /** Every version received per payment, live or by resync. */
  received: Map<string, Set<number>>;
  figures(): { live: number; resynced: number; reconnects: number; resyncs: number };
  /** Resolves once it has connected for the first time. */
  ready: Promise<void>;
  close(): Promise<void>;
}

export function merchantSubscriber(apis: () => string[], key: string, log: (line: string) => void = () => undefined): Subscriber {
  // Each connection goes to the next api, as through a load balancer: a killed one is passed over.
  let turn = 0;
  const url = (): string => {
    const all = apis();
    return all[turn++ % all.length]!;
  };
  const received = new Map<string, Set<number>>();
  let live = 0;
  let resynced = 0;
  let connects = 0;
  let resyncs = 0;
  let closed = false;
  /** Highest version per payment when the socket last dropped, until a resync has used it. */
  let gapFrom: Map<string, number> | undefined;
  let firstEventSinceConnect: (() => void) | undefined;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((r) => (markReady = r));

  const take = (id: string, version: number): boolean => {
    let versions = received.get(id);
    if (!versions) received.set(id, (versions = new Set()));
    if (versions.has(version)) return false;
    versions.add(version);
    return true;
  };

  async function query<T>(text: string, variables: Record<string, unknown>): Promise<T> {
    for (;;) {
      try {
        const response = await fetch(`${url()}/graphql`, {
          method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
          body: JSON.stringify({ query: text, variables }), signal: AbortSignal.timeout(20_000),
        });
        const body = (await response.json()) as { data?: T; errors?: unknown[] };
        if (body.data && !body.errors?.length) return body.data;
      } catch {
        // the api is down or restarting: ask again
      }
      if (closed) throw new Error("subscriber closed");
      await sleep(300);
    }
  }

  /** Fills the gap of a drop from each payment's event trail (see the file's comment). */
  async function resync(from: Map<string, number>): Promise<void> {
    resyncs++;
    let after: string | null = null;
    for (;;) {
      type Page = { payments: { edges: { node: { id: string; events: { nodes: { version: number }[] } } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
      const page: Page = await query<Page>(RESYNC_QUERY, { after });
      for (const { node } of page.payments.edges) {
        const before = from.get(node.id) ?? 0;
        for (const e of node.events.nodes) if (e.version > before && take(node.id, e.version)) resynced++;
      }
      if (!page.payments.pageInfo.hasNextPage) return;
      after = page.payments.pageInfo.endCursor;
    }
  }

  /** The stream stopped (socket dropped, or the server ended the subscription): note where. */
  const openGap = (): void => {
    if (closed || gapFrom) return;
    gapFrom = new Map([...received].map(([id, versions]) => [id, Math.max(...versions)]));
  };
  /** The stream is back: resync once it is live again (its first event proves it), or after 2 s. */
  const closeGap = (): void => {
    const from = gapFrom;
    if (!from) return;
    void new Promise<void>((resolve) => {
      firstEventSinceConnect = resolve;
      setTimeout(resolve, 2000);
    }).then(async () => {
      firstEventSinceConnect = undefined;
      const at = new Date().toISOString().slice(11, 23);
      await resync(from);
      log(`subscriber resynced (read from ${at})`);
      if (gapFrom === from) gapFrom = undefined;
    }).catch(() => undefined);
  };

  const client: Client = createClient({
    url: () => `${url().replace(/^http/, "ws")}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: `Bearer ${key}` },
    lazy: false,
    retryAttempts: Number.MAX_SAFE_INTEGER,
    shouldRetry: () => !closed,
    retryWait: () => sleep(250),
    on: {
      connected: (socket) => {
        connects++;
        if (connects > 1) log(`subscriber reconnected to ${(socket as { url?: string }).url ?? "?"}`);
        markReady();
        closeGap();
      },
      closed: () => {
        if (!closed && !gapFrom) log("subscriber's socket dropped");
        openGap();
      },
    },
  });

  const subscribe = (): void => {
    client.subscribe<{ paymentUpdated: { id: string; version: number } }>({ query: print(PaymentUpdatedDocument), variables: {} }, {
      next: ({ data }) => {
        if (!data) return;
        if (take(data.paymentUpdated.id, data.paymentUpdated.version)) live++;
        firstEventSinceConnect?.();
      },
      // The server ended or refused the subscription (not a dropped socket, which the client
      // retries itself): subscribe again, as a dashboard would.
      error: () => resubscribe(),
      complete: () => resubscribe(),
    });
  };
  const resubscribe = (): void => {
    if (closed) return;
    openGap();
    void sleep(250).then(() => {
      subscribe();
      closeGap();
    });
  };
  subscribe();

  return {
    received,
    ready,
    figures: () => ({ live, resynced, reconnects: Math.max(0, connects - 1), resyncs }),
    close: async () => {
      closed = true;
      await client.dispose();
    },
  };
}
