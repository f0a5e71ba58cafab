#!/usr/bin/env -S node --max-old-space-size=160
// The `paygraph` command: start (api, worker or both), migrate, merchant create, oauth, vault,
// sandbox. Each command is a module of src/cli/, imported only when it runs: `start` loads the whole
// app (about 2 s of CPU), the others need a small part of it (a sandbox or a `merchant create`,
// which the tests run hundreds of times, about 0.3 s).
import { parseArgs } from "node:util";
import { AppError } from "./platform/errors.js";
import { fail, say } from "./cli/io.js";

const usage = async (): Promise<string> => `usage:
  paygraph start [--role all|api|worker]   (no --role: api and worker processes, every core) [--port N] [--host H] [--tls-cert PATH --tls-key PATH]
  paygraph migrate
  paygraph merchant create --name NAME [--admin] [--json] [--owner-email EMAIL --owner-password PASSWORD [--owner-name NAME]]
  paygraph oauth rotate-signing-key [--json]
${(await import("./vault/cli.js")).VAULT_USAGE}
  paygraph sandbox [--port N] [--control-port N] [--name NAME] [--latency-ms N] [--fail-rate P] [--timeout-rate P] [--currencies USD,EUR]`;

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      role: { type: "string" }, port: { type: "string" }, host: { type: "string" }, name: { type: "string" },
      json: { type: "boolean" }, admin: { type: "boolean" }, "latency-ms": { type: "string" }, help: { type: "boolean" },
      "tls-cert": { type: "string" }, "tls-key": { type: "string" },
      "owner-email": { type: "string" }, "owner-password": { type: "string" }, "owner-name": { type: "string" },
      id: { type: "string" }, "no-rewrap": { type: "boolean" }, batch: { type: "string" },
      "fail-rate": { type: "string" }, "timeout-rate": { type: "string" }, currencies: { type: "string" }, "control-port": { type: "string" },
    },
  });
  const [command, sub] = positionals;
  if (values.help || !command) return say(await usage());
  if (command === "start") return (await import("./cli/start.js")).start(values);
  if (command === "migrate") {
    const [{ loadConfig }, { ready }] = await Promise.all([import("./config.js"), import("./cli/ready.js")]);
    await ready(loadConfig());
    return say("migrations are up to date");
  }
  if (command === "merchant" && sub === "create") return (await import("./cli/merchant.js")).createMerchantCommand(values);
  if (command === "oauth" && sub === "rotate-signing-key") return (await import("./cli/oauth.js")).rotateOAuthSigningKeyCommand(values);
  if (command === "vault") return (await import("./cli/vault.js")).vaultCommand(sub, positionals[2], values);
  if (command === "sandbox") return (await import("./cli/sandbox.js")).sandboxCommand(values);
  fail(`unknown command '${positionals.join(" ")}'\n${await usage()}`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  fail(err instanceof AppError ? err.message : err instanceof Error ? err.message : String(err));
});
