// `paygraph sandbox`: the sandbox gateway alone (a stand-in card processor for development and
// tests), with its latency, failure and timeout rates. Loads nothing of the app.
import { startSandboxGateway } from "../gateways/sandbox/server.js";
import { fail, say } from "./io.js";

export interface SandboxFlags { port?: string; host?: string; name?: string; "latency-ms"?: string; "fail-rate"?: string; "timeout-rate"?: string; currencies?: string; "control-port"?: string }

export async function sandboxCommand(values: SandboxFlags): Promise<void> {
  const share = (flag: string, value: string | undefined): number => {
    const n = Number(value ?? 0);
    if (!(n >= 0 && n <= 1)) fail(`--${flag} must be a number from 0 to 1, got '${value}'`);
    return n;
  };
  const latencyMs = Number(values["latency-ms"] ?? 0);
  if (!Number.isInteger(latencyMs) || latencyMs < 0) fail(`--latency-ms must be a whole number of milliseconds, got '${values["latency-ms"]}'`);
  const currencies = values.currencies?.split(",").map((c) => c.trim().toUpperCase()).filter(Boolean);
  if (currencies?.some((c) => !/^[A-Z]{3}$/.test(c))) fail(`--currencies must be ISO 4217 codes such as USD,EUR, got '${values.currencies}'`);
  const controlPort = values["control-port"];
  if (controlPort !== undefined && !/^\d{1,5}$/.test(controlPort)) fail(`--control-port must be a port number, got '${controlPort}'`);
  const name = values.name ?? "sandbox";
  const sandbox = await startSandboxGateway({
    port: Number(values.port ?? 4100), host: values.host ?? "127.0.0.1", name, latencyMs,
    failRate: share("fail-rate", values["fail-rate"]), timeoutRate: share("timeout-rate", values["timeout-rate"]),
    ...(currencies?.length ? { currencies } : {}),
    ...(controlPort !== undefined ? { controlPort: Number(controlPort) } : {}),
  });
  say(`sandbox gateway '${name}' listening on ${sandbox.url}${sandbox.controlUrl ? ` (control: ${sandbox.controlUrl})` : ""}`);
}
