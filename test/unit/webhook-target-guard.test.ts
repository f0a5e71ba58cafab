// Where a webhook may go: every refusal is tested with a resolver the test controls, so no packet
// is ever sent to a private address. The one connection made goes to a server on loopback, with
// private networks allowed, and shows that the socket goes to the address the guard checked.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request } from "undici";
import { isPublicAddress, refusalOfUrl, type Resolve } from "../../src/webhooks/target-guard.js";
import { webhookAgent } from "../../src/webhooks/delivery.js";

/** A resolver that answers from a table and counts its questions. */
function fakeResolver(table: Record<string, string[]>): Resolve & { asked: string[] } {
  const asked: string[] = [];
  const resolve = async (hostname: string) => {
    asked.push(hostname);
    const addresses = table[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    return addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };
  return Object.assign(resolve, { asked });
}

describe("isPublicAddress", () => {
  it.each([
    "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "100.100.100.200", "0.0.0.0", "255.255.255.255",
    "::1", "::", "fc00::1", "fd00:ec2::254", "fe80::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a00:1", "224.0.0.1",
  ])("refuses %s", (address) => expect(isPublicAddress(address)).toBe(false));
  it.each(["8.8.8.8", "93.184.216.34", "2606:4700:4700::1111"])("accepts %s", (address) => expect(isPublicAddress(address)).toBe(true));
});

describe("refusalOfUrl (when an endpoint is saved)", () => {
  const resolve = fakeResolver({ "hooks.example.com": ["93.184.216.34"], "metadata.internal.example": ["169.254.169.254"], "mixed.example.com": ["93.184.216.34", "10.0.0.7"] });
  const check = (url: string) => refusalOfUrl(url, { allowPrivate: false, httpsOnly: false, resolve });

  it.each([
    "http://127.0.0.1/hook", "http://2130706433/hook", "http://0177.0.0.1/hook", "http://0x7f.1/hook", "http://[::1]/hook",
    "http://[::ffff:127.0.0.1]/hook", "http://[::ffff:a9fe:a9fe]/latest/meta-data", "http://169.254.169.254/latest/meta-data",
    "http://100.64.1.1/hook", "http://[fd00::1]/hook", "http://localhost:8080/hook", "http://api.localhost/hook",
  ])("refuses the literal or local %s without resolving", async (url) => {
    const before = resolve.asked.length;
    expect(await check(url)).toMatch(/not a public address/);
    expect(resolve.asked.length).toBe(before);
  });

  it("refuses a name that resolves to a private address, even one among public ones", async () => {
    expect(await check("https://metadata.internal.example/x")).toMatch(/resolves to 169\.254\.169\.254/);
    expect(await check("https://mixed.example.com/x")).toMatch(/resolves to 10\.0\.0\.7/);
    expect(await check("https://nowhere.example.com/x")).toMatch(/does not resolve/);
  });

  it("accepts a public name, and anything when private networks are allowed", async () => {
    expect(await check("https://hooks.example.com/paygraph")).toBeUndefined();
    expect(await refusalOfUrl("http://127.0.0.1:9/hook", { allowPrivate: true, httpsOnly: false, resolve })).toBeUndefined();
  });

  it("asks for https in production, and refuses credentials and fragments", async () => {
    expect(await refusalOfUrl("http://hooks.example.com/x", { allowPrivate: false, httpsOnly: true, resolve })).toMatch(/https/);
    expect(await check("https://user:pw@hooks.example.com/x")).toMatch(/credentials/);
    expect(await check("https://hooks.example.com/x#frag")).toMatch(/fragment/);
  });
});

describe("the delivery agent (when connecting)", () => {
  let server: http.Server;
  let port: number;
  const heard: { host?: string }[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      heard.push({ host: req.headers.host });
      res.end("ok");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => new Promise((r) => server.close(r)));

  it("resolves, checks and refuses before any packet leaves (a rebinding name gets nowhere)", async () => {
    // Public when the endpoint was saved; private now: the connection-time check is what counts.
    const resolve = fakeResolver({ "rebind.example.com": ["10.0.0.5"] });
    const agent = webhookAgent(resolve, false, 2000);
    await expect(request(`http://rebind.example.com:${port}/`, { dispatcher: agent, method: "POST", body: "{}" })).rejects.toThrow(/not a public address/);
    expect(resolve.asked).toEqual(["rebind.example.com"]);
    await agent.close();
  });

  it("connects to the very address it checked", async () => {
    const resolve = fakeResolver({ "hooks.test": ["127.0.0.1"] });
    const agent = webhookAgent(resolve, true, 2000);
    const response = await request(`http://hooks.test:${port}/`, { dispatcher: agent, method: "POST", body: "{}" });
    expect(response.statusCode).toBe(200);
    await response.body.text();
    expect(heard.at(-1)?.host).toBe(`hooks.test:${port}`);
    await agent.close();
  });
});
