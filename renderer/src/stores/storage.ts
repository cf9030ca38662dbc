import { defineStore } from "pinia";
import { computed, ref, shallowRef } from "vue";
import type { BackupListEntry, StorageInfo, StorageSettingInput } from "../../../shared/storage.js";
import { errorMessage, useApi } from "./connection.js";
import { useToastsStore } from "./toasts.js";

const DISMISSED_KEY = "mcpscope.recovery-dismissed";

function readDismissed(): number {
  try {
    return Number(window.localStorage.getItem(DISMISSED_KEY) ?? 0);
  } catch {
    return 0;
  }
}

/** The database's sizes, retention and backups (storage.info), Back up now, and the recovery banner. */
export const useStorageStore = defineStore("storage", () => {
  const { client } = useApi();
  const toasts = useToastsStore();
  const info = shallowRef<StorageInfo | null>(null);
  const error = ref<string | null>(null);
  const backingUp = ref(false);
  const backups = shallowRef<BackupListEntry[]>([]);
  const restoring = ref(false);
  const dismissed = ref(readDismissed());

  async function refresh(): Promise<void> {
    try {
      [info.value, backups.value] = await Promise.all([
        client.call("storage.info", {}),
        client.call("storage.backups.list", {}),
      ]);
      error.value = null;
    } catch (e) {
      error.value = errorMessage(e);
    }
  }

  async function backup(): Promise<void> {
    if (backingUp.value) return;
    backingUp.value = true;
    try {
      const result = await client.call("storage.backup", {});
      toasts.push("ok", "Backed up", result.file);
      await refresh();
    } catch (e) {
      toasts.push("error", "Backup failed", errorMessage(e));
    } finally {
      backingUp.value = false;
    }
  }

  async function schedule(every: string | null, keep: number): Promise<void> {
    try {
      const result = await client.call("storage.schedule", { every, keep });
      toasts.push(
        result.ok ? "ok" : "error",
        result.ok ? "Backup schedule saved" : "Not saved",
        result.message,
      );
      await refresh();
    } catch (e) {
      toasts.push("error", "Not saved", errorMessage(e));
    }
  }

  /** Restores a backup from backups/ into the engine's database; true when it was restored. */
  async function restore(name: string): Promise<boolean> {
    if (restoring.value) return false;
    restoring.value = true;
    try {
      const result = await client.call("storage.restore", { name });
      toasts.push(result.ok ? "ok" : "error", result.ok ? "Restored" : "Not restored", result.message);
      await refresh();
      return result.ok;
    } catch (e) {
      toasts.push("error", "Not restored", errorMessage(e));
      return false;
    } finally {
      restoring.value = false;
    }
  }

  /** Sets `storage.maxSize` or one `storage.retention` kind; null goes back to the default. */
  async function setSetting(key: StorageSettingInput["key"], value: string | null): Promise<boolean> {
    try {
      const result = await client.call("storage.settings.put", { key, value });
      toasts.push(result.ok ? "ok" : "error", result.ok ? "Setting saved" : "Not saved", result.message);
      await refresh();
      return result.ok;
    } catch (e) {
      toasts.push("error", "Not saved", errorMessage(e));
      return false;
    }
  }

  /** A recovery the user has not dismissed yet: the app shows a banner naming the moved file. */
  const recovery = computed(() => {
    const r = info.value?.recovery;
    return r && r.eventId !== dismissed.value ? r : null;
  });

  function dismissRecovery(): void {
    const id = info.value?.recovery?.eventId;
    if (!id) return;
    dismissed.value = id;
    try {
      window.localStorage.setItem(DISMISSED_KEY, String(id));
    } catch {}
  }

  return {
    info,
    error,
    backingUp,
    backups,
    restoring,
    refresh,
    backup,
    restore,
    schedule,
    setSetting,
    recovery,
    dismissRecovery,
  };
});
