// `promtool check metrics` (Debian's prometheus package; .ci/run installs it) on a /metrics text.
import { spawn } from "node:child_process";

/** Its exit code and what it printed: `{ code: 0, out: "" }` is clean. */
export const promtool = (text: string) => new Promise<{ code: number | null; out: string }>((resolve, reject) => {
  const proc = spawn("promtool", ["check", "metrics"], { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  proc.stdout.on("data", (c: Buffer) => (out += c.toString()));
  proc.stderr.on("data", (c: Buffer) => (out += c.toString()));
  proc.on("error", reject);
  proc.on("close", (code) => resolve({ code, out }));
  proc.stdin.end(text);
});
