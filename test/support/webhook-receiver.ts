// A webhook receiver the tests run on loopback: it records every delivery (raw body and headers,
// exactly as received) and answers as each path is told to.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  path: string;
  body: string;
  headers: Record<string, string>;
  at: number;
}

/** What a path answers to its nth delivery (1-based): a status and headers, or "hang" (never answer). */
export type Behaviour = (n: number) => { status: number; headers?: Record<string, string>; body?: string } | "hang";

export interface Receiver {
  url: string;
  received: Received[];
  on(path: string, behaviour: Behaviour): void;
  /** The deliveries to `path` so far. */
  at(path: string): Received[];
  /** Resolves once `path` has `count` deliveries matching `pred`. */
  until(path: string, count: number, pred?: (r: Received) => boolean): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const behaviours = new Map<string, Behaviour>();
  const counts = new Map<string, number>();
  const waiters: (() => void)[] = [];
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = (req.url ?? "/").split("?")[0] as string;
      const n = (counts.get(path) ?? 0) + 1;
      counts.set(path, n);
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : (v ?? "")]));
      received.push({ path, body: Buffer.concat(chunks).toString("utf8"), headers, at: Date.now() });
      for (const w of waiters.splice(0)) w();
      const answer = (behaviours.get(path) ?? ((): ReturnType<Behaviour> => ({ status: 200 })))(n);
      if (answer === "hang") {
        hanging.add(res);
        return;
      }
      res.writeHead(answer.status, answer.headers).end(answer.body ?? "ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const at = (path: string): Received[] => received.filter((r) => r.path === path);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    on: (path, behaviour) => void behaviours.set(path, behaviour),
    at,
    until: async (path, count, pred = () => true) => {
      for (;;) {
        const matching = at(path).filter(pred);
        if (matching.length >= count) return matching;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
