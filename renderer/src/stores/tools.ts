import { defineStore } from "pinia";
import { ref } from "vue";

export type ToolSortKey = "tool" | "server" | "calls" | "errors" | "p50" | "p95" | "p99";

/** The Tools view's filter and sort, kept here so that other views can open it on one tool. */
export const useToolsStore = defineStore("tools", () => {
  const server = ref("");
  const search = ref("");
  const sortKey = ref<ToolSortKey>("calls");
  const descending = ref(true);
  /** The row (`server\0tool`) to bring into view and mark, after opening from elsewhere. */
  const highlight = ref<string | null>(null);

  function sortBy(key: ToolSortKey): void {
    if (sortKey.value === key) descending.value = !descending.value;
    else {
      sortKey.value = key;
      descending.value = key !== "tool" && key !== "server";
    }
  }

  function open(serverName: string, tool: string): void {
    server.value = serverName;
    search.value = "";
    highlight.value = `${serverName}\u0000${tool}`;
  }

  return { server, search, sortKey, descending, highlight, sortBy, open };
});
