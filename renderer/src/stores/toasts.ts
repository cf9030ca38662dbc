import { defineStore } from "pinia";
import { ref } from "vue";

export type ToastKind = "ok" | "error" | "info";

export interface Toast {
  id: number;
  kind: ToastKind;
  title: string;
  message: string;
}

/** At most this many toasts show at once; the oldest goes first. */
export const MAX_TOASTS = 5;
const DURATION_MS: Record<ToastKind, number> = { ok: 5000, info: 5000, error: 12_000 };

/** Short-lived results of what the user did (an action's `{ok, message}`), shown in a corner. */
export const useToastsStore = defineStore("toasts", () => {
  const toasts = ref<Toast[]>([]);
  const timers = new Map<number, ReturnType<typeof setTimeout>>();
  let nextId = 1;
  let paused = false;

  function dismiss(id: number): void {
    toasts.value = toasts.value.filter((t) => t.id !== id);
    const timer = timers.get(id);
    if (timer) clearTimeout(timer);
    timers.delete(id);
  }

  function push(kind: ToastKind, title: string, message: string): number {
    const id = nextId++;
    const next = [...toasts.value, { id, kind, title, message }];
    for (const dropped of next.splice(0, Math.max(0, next.length - MAX_TOASTS))) dismiss(dropped.id);
    toasts.value = next;
    if (!paused)
      timers.set(
        id,
        setTimeout(() => dismiss(id), DURATION_MS[kind]),
      );
    return id;
  }

  /** Keeps the toasts up while the pointer is on them (so that a long message can be read). */
  function pause(): void {
    paused = true;
    for (const timer of timers.values()) clearTimeout(timer);
    timers.clear();
  }

  function resume(): void {
    paused = false;
    for (const toast of toasts.value) {
      if (!timers.has(toast.id)) {
        timers.set(
          toast.id,
          setTimeout(() => dismiss(toast.id), DURATION_MS[toast.kind] / 2),
        );
      }
    }
  }

  return { toasts, push, dismiss, pause, resume };
});
