// Summarises a V8 .cpuprofile (node --cpu-prof): self time per function, per package/file, and per
// coarse bucket (GraphQL execution, Prisma, pg, HTTP, JSON, our code, GC, idle …).
// A sample's self time is the gap to the next sample; `window` ({ fromUs, toUs } on the monotonic
// clock the profile uses) keeps only samples taken during one phase. In the package and bucket views
// a native frame (writev, JSON.parse …) is charged to the nearest caller from node_modules or dist/,
// so a socket write to PostgreSQL counts as "pg driver", not as "native" or "node:net".
import { readFileSync } from "node:fs";

const SPECIAL = new Set(["(idle)", "(program)", "(garbage collector)", "(root)"]);

const BUCKETS = [
  ["GraphQL execution", /^(graphql|@apollo\/.*|type-graphql|graphql-ws|graphql-scalars|@graphql-.*|@as-integrations\/.*|dataloader|class-validator)$/],
  ["Prisma", /^(@prisma\/.*|prisma)$|^paygraph generated prisma$|^wasm$/],
  ["pg driver", /^(pg|pg-.*|postgres-.*)$/],
  ["HTTP (fastify, node:http)", /^(fastify|@fastify\/.*|find-my-way|avvio|light-my-request|fast-json-stringify|secure-json-parse|node:http.*|node:_http.*|node:net|node:stream.*|node:internal\/streams.*|node:internal\/http.*)$/],
  ["WebSocket (ws)", /^(ws|node:internal\/.*websocket.*)$/],
  ["Redis / BullMQ", /^(ioredis|bullmq|@ioredis\/.*|redis-.*|msgpackr|cluster-key-slot|denque|standard-as-callback)$/],
  ["logging / metrics", /^(pino|pino-.*|prom-client|sonic-boom|fast-redact|on-exit-leak-free|thread-stream)$/],
  ["JSON (native)", /^JSON$/],
  ["paygraph (dist/)", /^paygraph\b/],
  ["GC", /^GC$/],
  ["idle", /^idle$/],
];

/** The package (node_modules), "paygraph <dir>", "node:<module>", "wasm" or a special of a call frame. */
export function packageOf(frame) {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName === "(garbage collector)") return "GC";
    if (functionName === "(idle)") return "idle";
    if (functionName === "(program)" || functionName === "(root)") return "(program)";
    if (/^(parse|stringify|JSONParse|JSONStringify)$/.test(functionName)) return "JSON";
    return "(native)";
  }
  if (url.startsWith("wasm://")) return "wasm";
  if (url.startsWith("node:")) return url.replace(/^node:internal\/(deps\/)?/, "node:internal/").replace(/\.js$/, "").split("/").slice(0, 2).join("/");
  const nm = url.lastIndexOf("/node_modules/");
  if (nm >= 0) {
    const rest = url.slice(nm + 14).split("/");
    return rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const dist = /\/dist\/(.*)$/.exec(url);
  if (dist) {
    if (dist[1].startsWith("generated/prisma")) return "paygraph generated prisma";
    const dir = dist[1].split("/");
    return `paygraph ${dir.length > 1 ? dir[0] : dir[0].replace(/\.js$/, "")}`;
  }
  return url.replace(/^file:\/\//, "");
}

export function bucketOf(pkg) {
  for (const [name, re] of BUCKETS) if (re.test(pkg)) return name;
  if (pkg.startsWith("node:")) return "Node internals (other)";
  return pkg === "(native)" || pkg === "(program)" ? "V8 native / program" : "other";
}

function shortUrl(url) {
  const nm = url.lastIndexOf("/node_modules/");
  if (nm >= 0) return url.slice(nm + 14);
  return url.replace(/^file:\/\/.*?\/dist\//, "dist/").replace(/^file:\/\//, "");
}

const top = (map, n, busy) =>
  [...map].sort((a, b) => b[1] - a[1]).slice(0, n).map(([name, us]) => ({ name, ms: Math.round(us / 1000), pctOfBusy: Math.round((1000 * us) / busy) / 10 }));

/** { windowMs, busyMs, idleMs, buckets, packages, functions } of one profile. */
export function summariseProfile(profile, { window, topFunctions = 25, topPackages = 15 } = {}) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Native frames (and Node's own stream/net internals under them) are charged to the nearest
  // caller from node_modules or dist/; a native frame with no such caller stays "(native)".
  const owner = new Map();
  const ownerOf = (id) => {
    if (owner.has(id)) return owner.get(id);
    const pkg = packageOf(byId.get(id).callFrame);
    let charged = pkg;
    if (pkg === "(native)" || pkg.startsWith("node:")) {
      const up = parent.has(id) ? ownerOf(parent.get(id)) : undefined;
      if (up && up !== "(native)" && up !== "(program)" && !up.startsWith("node:")) charged = up;
    }
    owner.set(id, charged);
    return charged;
  };
  const { samples, timeDeltas } = profile;
  const selfByFn = new Map();
  const selfByPkg = new Map();
  const selfByBucket = new Map();
  let t = profile.startTime;
  let first;
  let last;
  let idle = 0;
  let total = 0;
  for (let i = 0; i < samples.length; i++) {
    t += timeDeltas[i];
    const dt = i + 1 < samples.length ? Math.max(0, timeDeltas[i + 1]) : 0;
    if (window && (t < window.fromUs || t > window.toUs)) continue;
    first ??= t;
    last = t;
    const frame = byId.get(samples[i]).callFrame;
    const pkg = ownerOf(samples[i]);
    total += dt;
    if (pkg === "idle") {
      idle += dt;
      continue;
    }
    const fn = SPECIAL.has(frame.functionName) || !frame.url
      ? frame.functionName || "(anonymous native)"
      : `${frame.functionName || "(anonymous)"}  ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
    selfByFn.set(fn, (selfByFn.get(fn) ?? 0) + dt);
    selfByPkg.set(pkg, (selfByPkg.get(pkg) ?? 0) + dt);
    const bucket = bucketOf(pkg);
    selfByBucket.set(bucket, (selfByBucket.get(bucket) ?? 0) + dt);
  }
  const busy = Math.max(1, total - idle);
  return {
    windowMs: first === undefined ? 0 : Math.round((last - first) / 1000),
    sampledMs: Math.round(total / 1000),
    busyMs: Math.round(busy / 1000),
    busyPct: total ? Math.round((1000 * busy) / total) / 10 : 0,
    buckets: top(selfByBucket, 20, busy),
    packages: top(selfByPkg, topPackages, busy),
    functions: top(selfByFn, topFunctions, busy),
  };
}

export function readProfile(file) {
  return JSON.parse(readFileSync(file, "utf8"));
}

/** Text lines for a terminal. */
export function formatProfileSummary(title, s) {
  const lines = [`${title}: ${s.busyMs} ms busy of ${s.sampledMs} ms sampled (${s.busyPct} % busy)`];
  const table = (head, rows) => {
    lines.push(`  ${head}`);
    for (const r of rows) lines.push(`    ${String(r.pctOfBusy).padStart(5)} %  ${String(r.ms).padStart(6)} ms  ${r.name}`);
  };
  table("by bucket (self time; native and node: frames charged to their package caller; % of busy)", s.buckets);
  table("by package / file (same charging)", s.packages);
  table("top functions", s.functions);
  return lines.join("\n");
}
