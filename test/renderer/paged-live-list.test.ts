/** The newest-first live list behind the Calls, Events and alert history views. */
import { describe, expect, it } from "vitest";
import { mergeCalls } from "../../renderer/src/list-order.js";
import { mergeById, usePagedLiveList } from "../../renderer/src/stores/paged-live-list.js";
import type { CallSummary } from "../../shared/domain.js";

interface RowT {
  id: number;
  v?: string;
}
const rows = (...ids: number[]): RowT[] => ids.map((id) => ({ id }));
const ids = (list: readonly RowT[]) => list.map((r) => r.id);

/** A fetch the test answers by hand, one request at a time. */
function manualFetch() {
  const requests: {
    beforeId: number | undefined;
    answer(page: RowT[]): void;
    fail(message: string): void;
  }[] = [];
  const fetch = (before?: RowT) =>
    new Promise<RowT[]>((resolve, reject) => {
      requests.push({ beforeId: before?.id, answer: resolve, fail: (m) => reject(new Error(m)) });
    });
  return { fetch, requests };
}

function setup(pageSize = 3, max = 5) {
  const { fetch, requests } = manualFetch();
  const list = usePagedLiveList<RowT>({
    fetch,
    pageSize,
    max,
    errors: { load: "Could not load rows", older: "Could not load older rows" },
  });
  const request = (n: number) => {
    const r = requests[n];
    if (!r) throw new Error(`no request #${n}`);
    return r;
  };
  return { list, requests, request };
}

describe("mergeById", () => {
  it("merges newest id first, without duplicates (the incoming copy wins), capped", () => {
    const merged = mergeById(
      [{ id: 5, v: "old" }, { id: 2 }],
      [{ id: 5, v: "new" }, { id: 7 }, { id: 1 }],
      3,
    );
    expect(merged).toEqual([{ id: 7 }, { id: 5, v: "new" }, { id: 2 }]);
    expect(mergeById(rows(3, 2, 1), [], 2).map((r) => r.id)).toEqual([3, 2]);
  });
});

describe("usePagedLiveList", () => {
  it("loads the newest page; a full page means there may be older rows", async () => {
    const { list, request } = setup();
    const loading = list.load();
    expect([list.loading.value, list.loaded.value]).toEqual([true, false]);
    request(0).answer(rows(9, 8, 7));
    await loading;
    expect(ids(list.items.value)).toEqual([9, 8, 7]);
    expect([list.loading.value, list.loaded.value, list.hasOlder.value]).toEqual([false, true, true]);
  });

  it("pages back below the oldest row, and stops at the cap", async () => {
    const { list, request } = setup();
    const first = list.load();
    request(0).answer(rows(9, 8, 7));
    await first;
    const older = list.loadOlder();
    expect(request(1).beforeId).toBe(7);
    request(1).answer(rows(6, 5, 4));
    await older;
    expect(ids(list.items.value)).toEqual([9, 8, 7, 6, 5]);
    expect(list.hasOlder.value).toBe(false);
    expect(list.capped.value).toBe(true);
    await list.loadOlder();
    expect(list.loadingOlder.value).toBe(false);
    // A new query starts below the cap again.
    const again = list.load();
    request(2).answer(rows(9, 8));
    await again;
    expect(list.capped.value).toBe(false);
  });

  it("is not capped when the last page ends the rows, and is when live rows push the oldest out", async () => {
    const { list, request } = setup(3, 4);
    const first = list.load();
    request(0).answer(rows(9, 8, 7));
    await first;
    const older = list.loadOlder();
    request(1).answer(rows(6));
    await older;
    expect(ids(list.items.value)).toEqual([9, 8, 7, 6]);
    expect([list.hasOlder.value, list.capped.value]).toEqual([false, false]);
    list.receive(rows(10));
    expect(ids(list.items.value)).toEqual([10, 9, 8, 7]);
    expect(list.capped.value).toBe(true);
  });

  it("is capped when a short last page overflows the cap because live rows came in meanwhile", async () => {
    const { list, request } = setup(3, 5);
    const first = list.load();
    request(0).answer(rows(9, 8, 7));
    await first;
    list.receive(rows(10));
    const older = list.loadOlder();
    request(1).answer(rows(6, 5));
    await older;
    // Row 5 was dropped: the count must not say every matching row is here.
    expect(ids(list.items.value)).toEqual([10, 9, 8, 7, 6]);
    expect([list.hasOlder.value, list.capped.value]).toEqual([false, true]);
  });

  it("a live row that only updates one already listed does not count as pushing one out", async () => {
    const { list, request } = setup(3, 3);
    const first = list.load();
    request(0).answer(rows(9, 8, 7));
    await first;
    list.receive([{ id: 9, v: "updated" }]);
    expect(list.items.value[0]).toEqual({ id: 9, v: "updated" });
    expect(list.capped.value).toBe(false);
  });

  it("rows pushed while a load is in flight are merged into its result, not lost", async () => {
    const { list, request } = setup();
    const loading = list.load();
    list.receive(rows(10));
    expect(list.items.value).toEqual([]);
    request(0).answer(rows(9, 8));
    await loading;
    expect(ids(list.items.value)).toEqual([10, 9, 8]);
    expect(list.hasOlder.value).toBe(false);
    list.receive(rows(11, 9));
    expect(ids(list.items.value)).toEqual([11, 10, 9, 8]);
  });

  it("a load overtaken by a newer one is ignored when it answers", async () => {
    const { list, request } = setup();
    const stale = list.load();
    const fresh = list.load();
    request(1).answer(rows(3));
    await fresh;
    request(0).answer(rows(99, 98, 97));
    await stale;
    expect(ids(list.items.value)).toEqual([3]);
    expect(list.loading.value).toBe(false);
  });

  it("a failed load says why in one line and keeps the rows it had", async () => {
    const { list, request } = setup();
    const first = list.load();
    request(0).answer(rows(2, 1));
    await first;
    const again = list.load();
    request(1).fail("the engine is restarting");
    await again;
    expect(list.error.value).toBe("Could not load rows: the engine is restarting");
    expect(ids(list.items.value)).toEqual([2, 1]);
  });

  it("refreshNewest merges the newest page over the rows below it, and keeps them on failure", async () => {
    const { list, request } = setup(2, 10);
    const first = list.load();
    request(0).answer(rows(4, 3));
    await first;
    const older = list.loadOlder();
    request(1).answer(rows(2, 1));
    await older;
    const refresh = list.refreshNewest();
    request(2).answer([{ id: 6 }, { id: 5 }]);
    await refresh;
    expect(ids(list.items.value)).toEqual([6, 5, 4, 3, 2, 1]);
    const failing = list.refreshNewest();
    request(3).fail("down");
    await failing;
    expect(ids(list.items.value)).toEqual([6, 5, 4, 3, 2, 1]);
    expect(list.error.value).toBeNull();
  });

  it("an older page that fails sets the older-rows error", async () => {
    const { list, request } = setup();
    const first = list.load();
    request(0).answer(rows(9, 8, 7));
    await first;
    const older = list.loadOlder();
    request(1).fail("timed out");
    await older;
    expect(list.error.value).toBe("Could not load older rows: timed out");
    expect(ids(list.items.value)).toEqual([9, 8, 7]);
  });
});

describe("a live row written late, then paging back", () => {
  type C = Pick<CallSummary, "id" | "startedAt">;
  const at = (second: number) => new Date(Date.UTC(2026, 11, 6, 21, 0, second)).toISOString();

  it("pages on from the last row fetched, so no stored row between is skipped", async () => {
    // Stored: ids 1..10 started at seconds 1..10; the store answers pages of 3 after (time, id).
    const stored: C[] = Array.from({ length: 10 }, (_, i) => ({ id: i + 1, startedAt: at(i + 1) }));
    const newestFirst = (a: C, b: C) => b.startedAt.localeCompare(a.startedAt) || b.id - a.id;
    const list = usePagedLiveList<C>({
      fetch: async (before) =>
        [...stored]
          .sort(newestFirst)
          .filter((c) => !before || newestFirst(before, c) < 0)
          .slice(0, 3),
      pageSize: 3,
      max: 1000,
      merge: mergeCalls as never,
      errors: { load: "x", older: "y" },
    });
    await list.load();
    expect(list.items.value.map((c) => c.id)).toEqual([10, 9, 8]);
    // Another wrapper's batch lands late: call 11 started at second 2, below the loaded page's bottom.
    const late = { id: 11, startedAt: at(2) };
    stored.push(late);
    list.receive([late]);
    for (let i = 0; i < 10 && list.hasOlder.value; i++) await list.loadOlder();
    expect(list.items.value.map((c) => c.id)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 11, 2, 1]);
  });

  it("drops rows that aged out of the range; nothing older is left to page to", async () => {
    const { list, request } = setup(3, 5);
    const loading = list.load();
    request(0).answer(rows(9, 8, 7));
    await loading;
    expect(list.hasOlder.value).toBe(true);
    list.dropAged((r) => r.id >= 8);
    expect(ids(list.items.value)).toEqual([9, 8]);
    expect([list.hasOlder.value, list.capped.value]).toEqual([false, false]);
  });
});
