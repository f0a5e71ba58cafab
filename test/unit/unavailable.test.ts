// The one classifier of infrastructure errors (src/platform/unavailable.ts): what PostgreSQL, pg,
// Prisma, ioredis and BullMQ throw when a connection is lost reads as SERVICE_UNAVAILABLE
// (retryable); a bug or a bad input does not.
import { describe, expect, it } from "vitest";
import { AppError, ErrorCode } from "../../src/platform/errors.js";
import { asUnavailable, isUnavailable } from "../../src/platform/unavailable.js";

const withProps = (message: string, props: Record<string, unknown>): Error => Object.assign(new Error(message), props);

describe("isUnavailable", () => {
  it("knows lost and refused connections", () => {
    const terminated = withProps("terminating connection due to administrator command", { code: "57P01", severity: "FATAL" });
    expect(isUnavailable(terminated)).toBe(true);
    expect(isUnavailable(new Error("Connection terminated unexpectedly"))).toBe(true);
    expect(isUnavailable(withProps("connect ECONNREFUSED 127.0.0.1:5432", { code: "ECONNREFUSED", syscall: "connect", errno: -111 }))).toBe(true);
    // Prisma: its own codes, or PostgreSQL's under meta.driverAdapterError.cause.
    expect(isUnavailable(withProps("Can't reach database server", { code: "P1001" }))).toBe(true);
    expect(isUnavailable(withProps("Timed out fetching a new connection", { code: "P2024" }))).toBe(true);
    expect(isUnavailable(withProps("driver error", { meta: { driverAdapterError: { cause: { kind: "postgres", originalCode: "57P01" } } } }))).toBe(true);
    expect(isUnavailable(withProps("driver error", { cause: { kind: "DatabaseNotReachable" } }))).toBe(true);
    // ioredis and BullMQ.
    expect(isUnavailable(new Error("Connection is closed."))).toBe(true);
    expect(isUnavailable(withProps("Reached the max retries per request limit (which is 1).", { name: "MaxRetriesPerRequestError" }))).toBe(true);
    expect(isUnavailable(new Error("Stream isn't writeable and enableOfflineQueue options is false"))).toBe(true);
  });

  it("leaves bugs and inputs alone", () => {
    expect(isUnavailable(new TypeError("Cannot read properties of undefined"))).toBe(false);
    expect(isUnavailable(withProps("duplicate key", { code: "23505" }))).toBe(false);
    expect(isUnavailable(withProps("Unique constraint failed", { code: "P2002" }))).toBe(false);
    expect(isUnavailable(new AppError(ErrorCode.BAD_USER_INPUT, "no"))).toBe(false);
    expect(isUnavailable(undefined)).toBe(false);
  });

  it("turns one into a typed, retryable catalogue error", () => {
    const err = asUnavailable(new Error("Connection terminated unexpectedly"));
    expect(err).toBeInstanceOf(AppError);
    expect(err?.code).toBe(ErrorCode.SERVICE_UNAVAILABLE);
    expect(err?.details).toMatchObject({ retryable: true, retryAfterMs: expect.any(Number) });
    expect(asUnavailable(new Error("bug"))).toBeUndefined();
  });
});
