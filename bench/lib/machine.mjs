// Which machine a run measured, and how busy it was: the box is shared by several engineers, so
// a report records the load average before and after the run next to its figures.
import { execFileSync } from "node:child_process";
import os from "node:os";
import { Redis } from "ioredis";
import { serverVersion } from "./db.mjs";
import { round } from "./stats.mjs";

const quiet = (cmd, args) => {
  try {
    return execFileSync(cmd, args, { encoding: "utf8" }).trim();
  } catch {
    return undefined;
  }
};

/** `uptime` as printed (its load averages over 1, 5 and 15 minutes), and the three numbers. */
export function loadAverage() {
  return { uptime: quiet("uptime", []), loadavg: os.loadavg().map((x) => round(x, 2)) };
}

export async function machine() {
  const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { lazyConnect: true });
  await redis.connect();
  const info = await redis.info("server");
  redis.disconnect();
  return {
    nproc: os.availableParallelism(),
    ramGb: round(os.totalmem() / 2 ** 30),
    cpu: /Model name:\s*(.+)/.exec(quiet("lscpu", []) ?? "")?.[1] ?? os.cpus()[0]?.model,
    node: process.version,
    postgres: await serverVersion(),
    redis: /redis_version:(\S+)/.exec(info)?.[1],
    date: new Date().toISOString(),
  };
}
