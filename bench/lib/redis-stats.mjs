// The bench's own redis-server, and its command counts by name. INFO commandstats cannot be split
// by key prefix, so on the shared Redis (other people's tests) it would count their commands too:
// the bench starts a server of its own on a free loopback port (no persistence), points api and
// worker at it, and reads INFO commandstats before and after each measured phase. commandstats
// counts the commands a Lua script runs as well as the EVALSHA that ran it (BullMQ's xadd, zadd
// … appear by name), which is what Redis executes per payment.
import { spawn } from "node:child_process";
import net from "node:net";
import os from "node:os";
import { Redis } from "ioredis";
import { Proc } from "./procs.mjs";

/** A TCP port free on 127.0.0.1 right now (the kernel's pick for port 0). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `redis-server` on a free port: no RDB, no AOF, loopback only. Resolves with
 * { url, pid, version, snapshot(), stop() }; `snapshot()` reads INFO commandstats.
 */
export async function startRedisServer({ bin = process.env.BENCH_REDIS_SERVER ?? "redis-server" } = {}) {
  let lastError;
  for (let attempt = 0; attempt < 3; attempt += 1) { // another process may take the port in between
    const port = await freePort();
    const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", os.tmpdir(), "--loglevel", "warning"];
    const proc = new Proc(`redis-server:${port}`, spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] }));
    const client = new Redis({ host: "127.0.0.1", port, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
    client.on("error", () => undefined); // refused until the server listens: waitForPing retries
    try {
      await waitForPing(client, proc);
      const version = /redis_version:(\S+)/.exec(await client.info("server"))?.[1];
      return {
        url: `redis://127.0.0.1:${port}`,
        pid: proc.pid,
        version,
        snapshot: async () => parseCommandStats(await client.info("commandstats")),
        async stop() {
          client.disconnect();
          await proc.stop(5000);
        },
      };
    } catch (err) {
      lastError = err;
      client.disconnect();
      await proc.stop(1000);
    }
  }
  throw new Error(`could not start redis-server: ${lastError?.message}`);
}

async function waitForPing(client, proc, timeoutMs = 10_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exited) throw new Error(`redis-server exited (${proc.exitCode}): ${proc.tail.join("\n")}`);
    try {
      if (client.status !== "ready") await client.connect();
      if ((await client.ping()) === "PONG") return;
    } catch (err) {
      if (Date.now() > until) throw err;
      client.disconnect();
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** INFO commandstats → { name: { calls, usec } } ("cmdstat_client|setname:calls=1,usec=2,…"). */
export function parseCommandStats(info) {
  const out = {};
  for (const line of info.split("\n")) {
    const m = /^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/.exec(line.trim());
    if (m) out[m[1]] = { calls: Number(m[2]), usec: Number(m[3]) };
  }
  return out;
}

/**
 * Commands run between two snapshots: { total, usec, byCommand: { name: calls } }, largest first.
 * The INFO that took the first snapshot is counted by the second: it is the bench's, not paygraph's.
 */
export function commandsBetween(a, b) {
  const byCommand = {};
  let total = 0;
  let usec = 0;
  for (const [name, s] of Object.entries(b)) {
    const calls = s.calls - (a[name]?.calls ?? 0) - (name === "info" ? 1 : 0);
    if (calls <= 0) continue;
    byCommand[name] = calls;
    total += calls;
    usec += s.usec - (a[name]?.usec ?? 0);
  }
  const sorted = Object.fromEntries(Object.entries(byCommand).sort((x, y) => y[1] - x[1]));
  return { total, usec, byCommand: sorted };
}
