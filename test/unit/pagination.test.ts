// Relay paging over lists held in memory (a payment's attempts) and the plan of a database read.
import { describe, expect, it } from "vitest";
import { AppError } from "../../src/platform/errors.js";
import { encodeCursor, pageOfList, planPage } from "../../src/platform/pagination.js";

const at = (i: number) => ({ id: `att_${String(i).padStart(8, "0")}`, createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)) });
const list = Array.from({ length: 7 }, (_, i) => at(i)); // oldest first
const ids = (page: { nodes: { id: string }[] }) => page.nodes.map((n) => Number(n.id.slice(4)));

describe("pageOfList", () => {
  it("pages forward and backward through the list, with honest pageInfo", () => {
    const first = pageOfList(list, { first: 3 }, "oldestFirst");
    expect(ids(first)).toEqual([0, 1, 2]);
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false, endCursor: encodeCursor(list[2]!) });
    const second = pageOfList(list, { first: 3, after: first.pageInfo.endCursor }, "oldestFirst");
    expect(ids(second)).toEqual([3, 4, 5]);
    expect(second.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    expect(ids(pageOfList(list, { first: 3, after: second.pageInfo.endCursor }, "oldestFirst"))).toEqual([6]);

    const last = pageOfList(list, { last: 2 }, "oldestFirst");
    expect(ids(last)).toEqual([5, 6]);
    expect(last.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    expect(ids(pageOfList(list, { last: 2, before: last.pageInfo.startCursor }, "oldestFirst"))).toEqual([3, 4]);
    expect(last.edges.map((e) => e.node)).toEqual(last.nodes);
  });

  it("keeps its place when the cursor's item has left the list", () => {
    const without3 = list.filter((item) => item.id !== at(3).id);
    expect(ids(pageOfList(without3, { first: 2, after: encodeCursor(at(3)) }, "oldestFirst"))).toEqual([4, 5]);
    expect(ids(pageOfList(without3, { last: 2, before: encodeCursor(at(3)) }, "oldestFirst"))).toEqual([1, 2]);
  });

  it("refuses sizes out of range, forged cursors and mixed directions as BAD_USER_INPUT naming the argument", () => {
    const refusal = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return err instanceof AppError ? { code: err.code, field: (err.details as { field?: string }).field } : err;
      }
      return "accepted";
    };
    expect(refusal(() => pageOfList(list, { first: 0 }, "oldestFirst"))).toEqual({ code: "BAD_USER_INPUT", field: "first" });
    expect(refusal(() => pageOfList(list, { last: 101 }, "oldestFirst"))).toEqual({ code: "BAD_USER_INPUT", field: "last" });
    expect(refusal(() => pageOfList(list, { after: "not-a-cursor" }, "oldestFirst"))).toEqual({ code: "BAD_USER_INPUT", field: "after" });
    const forged = (at: string, id: string) => Buffer.from(JSON.stringify([at, id])).toString("base64url");
    expect(refusal(() => planPage({ before: forged("2026-01-01T00:00:00Z", "pay_\u0000aaaaaaaaaa") }))).toEqual({ code: "BAD_USER_INPUT", field: "before" });
    expect(refusal(() => planPage({ after: forged("-005000-01-01T00:00:00Z", "pay_aaaaaaaaaa") }))).toEqual({ code: "BAD_USER_INPUT", field: "after" });
    expect(refusal(() => planPage({ first: 2, last: 2 }))).toEqual({ code: "BAD_USER_INPUT", field: "last" });
    expect(refusal(() => planPage({ after: encodeCursor(at(1)), before: encodeCursor(at(2)) }))).toEqual({ code: "BAD_USER_INPUT", field: "before" });
  });
});

describe("planPage", () => {
  it("reads backward pages oldest first beyond the cursor and turns them round", () => {
    const plan = planPage({ last: 2, before: encodeCursor(at(3)) });
    expect(plan).toMatchObject({ backward: true, take: 3, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
    expect(plan.where.OR?.[0]).toEqual({ createdAt: { gt: at(3).createdAt } });
    // Rows as the database gives them: the nearest first, one more than the page.
    const page = plan.finish([at(4), at(5), at(6)]);
    expect(ids(page)).toEqual([5, 4]);
    expect(page.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
  });
});
