// The layers point one way (DESIGN.md: server → domains → platform). Read from the source's
// imports, so a new violation fails here rather than surfacing as a cycle months later:
// - platform/ knows no domain: it imports only platform/, config.ts and the generated Prisma client;
// - domains import neither server/ nor the roles and entry points (worker/, main.ts, cli/)
//   nor the assembly of a process (app/process.ts); they may read app/'s types (App, Ctx, GqlContext);
// - customers/ and tokenization/ sit below payments/: they import nothing from payments/ or refunds/.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const SRC = path.resolve(import.meta.dirname, "../../src");
/** Top-level parts of src/ that are not domains: layers, roles, entry points, generated code. */
const NOT_DOMAINS = new Set(["platform", "server", "app", "worker", "scripts", "generated", "config.ts", "main.ts", "cli"]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "generated" ? [] : sourceFiles(full);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [full] : [];
  });
}

interface Edge { from: string; to: string }

/** Every relative import (static, re-export, side-effect or dynamic) as src-relative paths. */
const edges: Edge[] = sourceFiles(SRC).flatMap((file) =>
  ts.preProcessFile(readFileSync(file, "utf8"), true, true).importedFiles
    .filter((imported) => imported.fileName.startsWith("."))
    .map((imported) => ({
      from: path.relative(SRC, file),
      to: path.relative(SRC, path.resolve(path.dirname(file), imported.fileName)).replace(/\.js$/, ".ts"),
    })));

const top = (srcPath: string): string => srcPath.split(path.sep)[0]!;
const isDomain = (srcPath: string): boolean => !NOT_DOMAINS.has(top(srcPath));
const show = (found: Edge[]): string[] => found.map((e) => `${e.from} → ${e.to}`);

describe("layering", () => {
  it("reads the imports of the source tree", () => {
    expect(edges.length).toBeGreaterThan(500);
    expect(edges.some((e) => e.from === path.join("server", "http.ts") && top(e.to) === "payments")).toBe(true);
  });

  it("platform/ imports no domain, role or composition: only platform/, config.ts and the generated client", () => {
    const allowed = new Set(["platform", "config.ts", "generated"]);
    expect(show(edges.filter((e) => top(e.from) === "platform" && !allowed.has(top(e.to))))).toEqual([]);
  });

  it("domains import neither server/, worker/, the entry points nor the assembly of a process", () => {
    const forbidden = (to: string): boolean =>
      ["server", "worker", "main.ts", "cli", "scripts"].includes(top(to)) || to === path.join("app", "process.ts");
    expect(show(edges.filter((e) => isDomain(e.from) && forbidden(e.to)))).toEqual([]);
  });

  it("customers/ and tokenization/ sit below payments/: they import nothing from payments/ or refunds/", () => {
    const below = new Set(["customers", "tokenization"]);
    const above = new Set(["payments", "refunds"]);
    expect(show(edges.filter((e) => below.has(top(e.from)) && above.has(top(e.to))))).toEqual([]);
  });

  it("HTTP routes are registered under server/ only (the sandbox gateway is a separate service)", () => {
    const routeFiles = sourceFiles(SRC)
      .map((file) => ({ file: path.relative(SRC, file), text: readFileSync(file, "utf8") }))
      .filter(({ text }) => /from "fastify"/.test(text))
      .map(({ file }) => file)
      .filter((file) => top(file) !== "server" && !file.startsWith(path.join("gateways", "sandbox") + path.sep));
    expect(routeFiles).toEqual([]);
  });
});
