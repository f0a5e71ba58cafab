// Which code a run measured. Other people commit and rebuild dist/ while benches run, so the
// report records HEAD, whether src/ or prisma/ differ from it, when dist/ was built, and whether
// any source file is newer than that build (a stale dist/ measures old code).
import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";

function newest(dir, ext) {
  let max = 0;
  let file;
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (!ext || p.endsWith(ext)) {
        const m = statSync(p).mtimeMs;
        if (m > max) [max, file] = [m, p];
      }
    }
  };
  walk(dir);
  return { mtimeMs: max, file };
}

const git = (root, args) => {
  try {
    return execFileSync("git", args, { cwd: root, encoding: "utf8" }).trim();
  } catch {
    return undefined;
  }
};

export function provenance(root) {
  const dist = newest(path.join(root, "dist"), ".js");
  const src = newest(path.join(root, "src"), ".ts");
  const dirty = (git(root, ["status", "--porcelain", "--", "src", "prisma"]) ?? "").split("\n").filter(Boolean);
  return {
    head: git(root, ["rev-parse", "--short", "HEAD"]),
    headSubject: git(root, ["log", "-1", "--format=%s"])?.slice(0, 100),
    srcChangesVsHead: dirty.length,
    distBuiltAt: new Date(dist.mtimeMs).toISOString(),
    distStale: src.mtimeMs > dist.mtimeMs ? path.relative(root, src.file) : false,
  };
}

export function provenanceLine(p) {
  const stale = p.distStale ? `; WARNING dist/ is older than ${p.distStale} (run npm run build)` : "";
  return `code: HEAD ${p.head}${p.srcChangesVsHead ? ` + ${p.srcChangesVsHead} uncommitted src/prisma changes` : ""}, dist/ built ${p.distBuiltAt}${stale}`;
}
