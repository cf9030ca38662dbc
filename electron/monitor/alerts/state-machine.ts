/**
 * Prometheus' alert states for one rule, one evaluation at a time: a label group that becomes active is
 * pending; pending for `for` it fires (at once when `for` is 0); a pending one that stops being active is
 * dropped; a firing one that stops being active stays firing for `keep_firing_for`, then resolves. A
 * resolved instance is kept a while so that the resolution can be notified and shown; active again, it
 * starts over as pending. Pure: the time is a parameter, so tests drive it on a virtual clock.
 */
import { createHash } from "node:crypto";
import type { AlertState } from "../../../shared/alerts.js";
import type { Rule } from "./rule-schema.js";
import { isActive, type Sample } from "./signals.js";
import { renderSummary } from "./template.js";

export interface InstanceState {
  id: string;
  rule: string;
  labels: Record<string, string>;
  severity: Rule["severity"];
  state: AlertState;
  activeAt: number;
  firedAt: number | null;
  resolvedAt: number | null;
  lastActiveAt: number;
  /** The first evaluation at which a firing alert's condition had cleared (for `keep_firing_for`). */
  keepFiringSince: number | null;
  value: number | null;
  summary: string;
  acknowledged: boolean;
}

export interface Transition {
  instance: InstanceState;
  from: "inactive" | AlertState;
  to: "inactive" | AlertState;
  time: number;
}

/** How long a resolved instance is kept after it resolved. */
export const RESOLVED_RETENTION_MS = 15 * 60_000;

/** The alert's labels: its name, severity, the rule's labels and the group's (server, tool). */
export function alertLabels(rule: Rule, group: Record<string, string>): Record<string, string> {
  return { alertname: rule.name, severity: rule.severity, ...rule.labels, ...group };
}

export function alertId(rule: string, group: Record<string, string>): string {
  const key = Object.keys(group)
    .sort()
    .map((k) => `${k}=${group[k]}`)
    .join("\u0000");
  return createHash("sha256").update(`${rule}\u0001${key}`).digest("hex").slice(0, 16);
}

/**
 * One evaluation of `rule` at `now` over its samples. `previous` holds the rule's instances by id;
 * returns the instances after this step and the transitions it made.
 */
export function step(
  rule: Rule,
  previous: ReadonlyMap<string, InstanceState>,
  samples: readonly Sample[],
  now: number,
): { instances: Map<string, InstanceState>; transitions: Transition[] } {
  const next = new Map<string, InstanceState>();
  const transitions: Transition[] = [];
  const move = (instance: InstanceState, from: Transition["from"], to: Transition["to"]) =>
    transitions.push({ instance, from, to, time: now });

  for (const sample of samples) {
    if (!isActive(rule, sample.value)) continue;
    const id = alertId(rule.name, sample.labels);
    const labels = alertLabels(rule, sample.labels);
    const summary = renderSummary(rule, labels, sample.value);
    const before = previous.get(id);
    if (!before || before.state === "resolved") {
      const instance: InstanceState = {
        id,
        rule: rule.name,
        labels,
        severity: rule.severity,
        state: "pending",
        activeAt: now,
        firedAt: null,
        resolvedAt: null,
        lastActiveAt: now,
        keepFiringSince: null,
        value: sample.value,
        summary,
        acknowledged: false,
      };
      move(instance, before ? "resolved" : "inactive", "pending");
      if (rule.forMs <= 0) {
        instance.state = "firing";
        instance.firedAt = now;
        move(instance, "pending", "firing");
      }
      next.set(id, instance);
      continue;
    }
    const instance: InstanceState = {
      ...before,
      labels,
      severity: rule.severity,
      value: sample.value,
      summary,
      lastActiveAt: now,
      keepFiringSince: null,
    };
    if (instance.state === "pending" && now - instance.activeAt >= rule.forMs) {
      instance.state = "firing";
      instance.firedAt = now;
      move(instance, "pending", "firing");
    }
    next.set(id, instance);
  }

  for (const [id, before] of previous) {
    if (next.has(id)) continue;
    if (before.state === "pending") {
      move(before, "pending", "inactive");
    } else if (before.state === "firing") {
      // As Prometheus: kept firing while less than keep_firing_for has passed since it first cleared.
      const since = before.keepFiringSince ?? now;
      if (rule.keepFiringForMs > 0 && now - since < rule.keepFiringForMs) {
        next.set(id, { ...before, keepFiringSince: since });
      } else {
        const resolved: InstanceState = { ...before, state: "resolved", resolvedAt: now };
        move(resolved, "firing", "resolved");
        next.set(id, resolved);
      }
    } else if (before.resolvedAt !== null && now - before.resolvedAt < RESOLVED_RETENTION_MS) {
      next.set(id, before);
    }
  }
  return { instances: next, transitions };
}
