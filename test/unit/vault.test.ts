import { describe, expect, it } from "vitest";
import { validateCard } from "../../src/vault/card.js";
import { AppError } from "../../src/platform/errors.js";

const fieldOf = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (err) {
    return err instanceof AppError ? err.details.field : "not an AppError";
  }
  return undefined;
};

describe("card validation", () => {
  const now = new Date("2026-11-25T00:00:00Z");
  it("accepts a valid card and reads its brand and last4", () => {
    expect(validateCard({ number: "4242 4242 4242 4242", expMonth: 11, expYear: 2026, cvc: "123" }, now)).toMatchObject({ brand: "visa", last4: "4242", number: "4242424242424242" });
    expect(validateCard({ number: "378282246310005", expMonth: 1, expYear: 2030, cvc: "1234" }, now).brand).toBe("american-express");
  });
  it("refuses a number failing the Luhn check", () => {
    expect(fieldOf(() => validateCard({ number: "4242424242424241", expMonth: 1, expYear: 2030 }, now))).toBe("card.number");
  });
  it("refuses an expired card, but not in its last month", () => {
    expect(fieldOf(() => validateCard({ number: "4242424242424242", expMonth: 10, expYear: 2026 }, now))).toBe("card.expMonth");
    expect(fieldOf(() => validateCard({ number: "4242424242424242", expMonth: 13, expYear: 2030 }, now))).toBe("card.expMonth");
  });
  it("refuses a malformed CVC", () => {
    expect(fieldOf(() => validateCard({ number: "4242424242424242", expMonth: 1, expYear: 2030, cvc: "12a" }, now))).toBe("card.cvc");
  });
  it("never puts the card number in an error message", () => {
    try {
      validateCard({ number: "4242424242424241", expMonth: 1, expYear: 2030 }, now);
    } catch (err) {
      expect((err as Error).message).not.toContain("424242");
    }
  });
});
