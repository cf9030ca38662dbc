import { defineStore } from "pinia";
import { computed, ref, shallowRef, watch } from "vue";
import type { RulePreview, RulesDocument } from "../../../shared/alerts.js";
import type { ActionResult } from "../../../shared/servers.js";
import { type RuleKind, ruleName, ruleTemplate, withEnabled } from "../alerts/rule-yaml.js";
import { errorMessage, useApi, useConnectionStore } from "./connection.js";
import { useToastsStore } from "./toasts.js";

/** Edits are previewed once typing pauses this long. */
export const PREVIEW_DEBOUNCE_MS = 500;
export const PREVIEW_RANGE = "24h";

/**
 * The rule file (`alerts.rules`) and the rule editor: one rule's YAML as a draft, saved with
 * `alerts.rules.put` (the engine answers with a one-line error naming line and key), removed (or, for a
 * built-in rule, disabled) with `alerts.rules.remove`, and previewed over 24 h as the draft changes.
 */
export const useAlertRulesStore = defineStore("alert-rules", () => {
  const { client } = useApi();
  const connection = useConnectionStore();
  const toasts = useToastsStore();

  const doc = shallowRef<RulesDocument | null>(null);
  const loaded = ref(false);
  const error = ref<string | null>(null);

  /** The rule being edited (its name when it was loaded), or null for a new rule. */
  const editing = ref<string | null>(null);
  /** Whether the editor is open (on an existing rule or a new one). */
  const open = ref(false);
  const draft = ref("");
  const original = ref("");
  const saving = ref(false);
  const saveError = ref<string | null>(null);
  const dirty = computed(() => draft.value !== original.value);

  const preview = shallowRef<RulePreview | null>(null);
  const previewing = ref(false);
  /** The preview call itself failed (the rule's own problems come back in `preview.error`). */
  const previewError = ref<string | null>(null);

  let previewTimer: ReturnType<typeof setTimeout> | null = null;
  let previewGeneration = 0;
  let started = false;

  async function load(): Promise<void> {
    try {
      doc.value = await client.call("alerts.rules", {});
      error.value = null;
    } catch (e) {
      error.value = `Could not load the alert rules: ${errorMessage(e)}`;
    } finally {
      loaded.value = true;
    }
  }

  function edit(name: string): void {
    const rule = doc.value?.rules.find((r) => r.name === name);
    if (!rule) return;
    editing.value = name;
    open.value = true;
    draft.value = rule.yaml;
    original.value = rule.yaml;
    saveError.value = null;
  }

  function create(kind: RuleKind): void {
    editing.value = null;
    open.value = true;
    draft.value = ruleTemplate(kind);
    original.value = "";
    saveError.value = null;
  }

  function close(): void {
    open.value = false;
    editing.value = null;
    draft.value = "";
    original.value = "";
    saveError.value = null;
    preview.value = null;
    previewError.value = null;
  }

  async function save(): Promise<ActionResult> {
    if (saving.value) return { ok: false, message: "Already saving." };
    saving.value = true;
    let result: ActionResult;
    try {
      result = await client.call("alerts.rules.put", {
        yaml: draft.value,
        ...(editing.value ? { replaces: editing.value } : {}),
      });
    } catch (e) {
      result = { ok: false, message: errorMessage(e) };
    } finally {
      saving.value = false;
    }
    if (!result.ok) {
      saveError.value = result.message;
      return result;
    }
    saveError.value = null;
    toasts.push("ok", "Rule saved", result.message);
    await load();
    const name = ruleName(draft.value);
    if (name && doc.value?.rules.some((r) => r.name === name)) edit(name);
    else original.value = draft.value;
    return result;
  }

  /** Removes a user rule, or disables a built-in one. */
  async function remove(name: string): Promise<ActionResult> {
    let result: ActionResult;
    try {
      result = await client.call("alerts.rules.remove", { name });
    } catch (e) {
      result = { ok: false, message: errorMessage(e) };
    }
    toasts.push(result.ok ? "ok" : "error", `Remove ${name}`, result.message);
    if (result.ok) {
      await load();
      if (editing.value === name) {
        if (doc.value?.rules.some((r) => r.name === name)) edit(name);
        else close();
      }
    }
    return result;
  }

  /** Turns a disabled rule (built-in or not) back on: its YAML with `enabled: true`. */
  async function enable(name: string): Promise<ActionResult> {
    const rule = doc.value?.rules.find((r) => r.name === name);
    if (!rule) return { ok: false, message: `no rule named ${name}` };
    let result: ActionResult;
    try {
      result = await client.call("alerts.rules.put", { yaml: withEnabled(rule.yaml, true), replaces: name });
    } catch (e) {
      result = { ok: false, message: errorMessage(e) };
    }
    toasts.push(result.ok ? "ok" : "error", `Enable ${name}`, result.message);
    if (result.ok) {
      await load();
      if (editing.value === name && !dirty.value) edit(name);
    }
    return result;
  }

  async function runPreview(): Promise<void> {
    previewTimer = null;
    const yaml = draft.value;
    const mine = ++previewGeneration;
    if (!open.value || yaml.trim() === "") {
      preview.value = null;
      previewError.value = null;
      previewing.value = false;
      return;
    }
    previewing.value = true;
    try {
      const next = await client.call("alerts.rules.preview", { yaml, range: PREVIEW_RANGE });
      if (mine !== previewGeneration) return;
      preview.value = next;
      previewError.value = null;
    } catch (e) {
      if (mine === previewGeneration) previewError.value = `Could not preview: ${errorMessage(e)}`;
    } finally {
      if (mine === previewGeneration) previewing.value = false;
    }
  }

  function schedulePreview(): void {
    if (previewTimer) clearTimeout(previewTimer);
    previewTimer = setTimeout(() => void runPreview(), PREVIEW_DEBOUNCE_MS);
  }

  /** Loads the rules and previews the draft as it changes; safe to call more than once. */
  function start(): void {
    if (started) return;
    started = true;
    watch([draft, open], schedulePreview);
    // The engine's error was about the text as it was saved; an edit makes it stale.
    watch(draft, () => {
      saveError.value = null;
    });
    connection.onReconnect(() => void load());
    void load();
  }

  return {
    doc,
    loaded,
    error,
    editing,
    open,
    draft,
    dirty,
    saving,
    saveError,
    preview,
    previewing,
    previewError,
    start,
    load,
    edit,
    create,
    close,
    save,
    remove,
    enable,
    refreshPreview: runPreview,
  };
});
