/**
 * Alert edits, each audited: silences, acknowledgement, the notification pause, and rules and channels in
 * the rule file. What follows an edit (a new dispatch, a new snapshot) is the evaluator's: it is told
 * through `AlertEditHooks`, which do nothing where no evaluator runs (the CLI).
 */

import type { Matcher, Silence } from "../../../shared/alerts.js";
import { listedTime } from "../../../shared/listed-time.js";
import type { ActionResult } from "../../../shared/servers.js";
import type { AdminAction } from "../audit/audit-log.js";
import type { Db } from "../store/db.js";
import { iso, parseDuration } from "../time.js";
import type { AlertConfigFile } from "./alert-config.js";
import { addSilence, expireSilence, setAcknowledged, setMeta } from "./alert-store.js";
import { putChannel, removeChannel } from "./channel-file.js";
import { putRule, removeRule } from "./rule-file.js";

export interface AlertEditHooks {
  silencesChanged(): void;
  /**
   * After an acknowledgement (or its taking back, `acknowledged` false) was asked for; `ok` when the alert
   * was firing and now is as asked.
   */
  acknowledged(id: string, acknowledged: boolean, ok: boolean): void;
  pauseChanged(): void;
}

export const NO_EDIT_HOOKS: AlertEditHooks = {
  silencesChanged() {},
  acknowledged() {},
  pauseChanged() {},
};

export interface AlertEditsOptions {
  db: Db;
  config: AlertConfigFile;
  audit(action: AdminAction): void;
  now: () => number;
  hooks: AlertEditHooks;
}

export class AlertEdits {
  constructor(private readonly options: AlertEditsOptions) {}

  /** `actor` is who asked (the CLI, through the engine), else whoever the silence names as its creator. */
  silence(
    input: { matchers: Matcher[]; duration: string; comment?: string; createdBy?: string },
    actor = input.createdBy ?? "app",
  ): Silence {
    const durationMs = parseDuration(input.duration);
    const silence = addSilence(this.options.db, { ...input, durationMs }, this.options.now());
    this.options.audit({
      action: "alert_silence",
      actor,
      target: silence.id,
      details: { matchers: input.matchers, duration: input.duration, comment: input.comment ?? "" },
    });
    this.options.hooks.silencesChanged();
    return silence;
  }

  unsilence(id: string, actor = "app"): ActionResult {
    const ok = expireSilence(this.options.db, id, this.options.now());
    if (ok) this.options.audit({ action: "alert_unsilence", actor, target: id });
    this.options.hooks.silencesChanged();
    return { ok, message: ok ? `silence ${id} expired` : `no active silence ${id}` };
  }

  acknowledge(id: string, actor = "app"): ActionResult {
    const ok = setAcknowledged(this.options.db, id);
    if (ok) this.options.audit({ action: "alert_acknowledge", actor, target: id });
    this.options.hooks.acknowledged(id, true, ok);
    return {
      ok,
      message: ok ? "acknowledged: no repeat notifications until it resolves" : `no firing alert ${id}`,
    };
  }

  unacknowledge(id: string, actor = "app"): ActionResult {
    const ok = setAcknowledged(this.options.db, id, false);
    if (ok) this.options.audit({ action: "alert_unacknowledge", actor, target: id });
    this.options.hooks.acknowledged(id, false, ok);
    return {
      ok,
      message: ok
        ? "no longer acknowledged: it repeats again on its route's repeat_interval"
        : `no firing alert ${id}`,
    };
  }

  pause(duration: string | null, actor = "app"): ActionResult {
    const until = duration === null ? null : this.options.now() + parseDuration(duration);
    setMeta(this.options.db, "paused_until", until === null ? null : String(until));
    this.options.audit({
      action: "alert_pause",
      actor,
      details: { until: until === null ? null : iso(until) },
    });
    this.options.hooks.pauseChanged();
    return {
      ok: true,
      message:
        until === null ? "notifications resumed" : `notifications paused until ${listedTime(iso(until))}`,
    };
  }

  putRule(yamlText: string, replaces?: string): ActionResult {
    const rule = putRule(this.options.config.dataDir, yamlText, replaces);
    this.options.audit({ action: "alert_rule_put", actor: "app", target: rule.name });
    this.options.config.reloadIfChanged(true);
    return { ok: true, message: `rule ${rule.name} saved` };
  }

  removeRule(name: string): ActionResult {
    const what = removeRule(this.options.config.dataDir, name);
    if (what !== "missing")
      this.options.audit({ action: "alert_rule_remove", actor: "app", target: name, outcome: what });
    this.options.config.reloadIfChanged(true);
    return what === "missing"
      ? { ok: false, message: `no rule named ${name} in the file` }
      : { ok: true, message: `rule ${name} ${what}` };
  }

  putChannel(yamlText: string, replaces?: string): ActionResult {
    const { config } = this.options;
    putChannel(config.dataDir, yamlText, replaces);
    this.options.audit({ action: "alert_channel_put", actor: "app", target: replaces ?? null });
    config.reloadIfChanged(true);
    return { ok: true, message: "channel saved" };
  }

  removeChannel(name: string): ActionResult {
    const ok = removeChannel(this.options.config.dataDir, name);
    if (ok) this.options.audit({ action: "alert_channel_remove", actor: "app", target: name });
    this.options.config.reloadIfChanged(true);
    return { ok, message: ok ? `channel ${name} removed` : `no channel named ${name} in the file` };
  }
}
