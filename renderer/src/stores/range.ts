import { defineStore } from "pinia";
import { ref } from "vue";
import { presetRange, type TimeRange } from "../time-range.js";

/** The time range the Overview and the Tools view share (the Logs view keeps its own). */
export const useRangeStore = defineStore("range", () => {
  const range = ref<TimeRange>(presetRange("1h"));
  return { range };
});
