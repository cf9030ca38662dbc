/**
 * Alertmanager's delivery decisions, over the current alert instances: which silences match each alert,
 * which alerts a firing higher-severity alert of the same server inhibits, which route(s) take each one,
 * how routes group them (`group_by`), and when a group notifies: first after `group_wait`, then on a
 * change at most every `group_interval`, and again every `repeat_interval` while it fires (unless every
 * alert in it is acknowledged). What a group last told its channels is kept (alert_groups), so a restart
 * neither repeats nor loses a notification. Pure but for the group state it is handed.
 */
import { createHash } from "node:crypto";
import { ALERT_SEVERITY_RANK as RANK, type Silence } from "../../../shared/alerts.js";
import type { AlertNotification, NotifiedAlert } from "./channels/channel.js";
import { matches } from "./matchers.js";
import type { Route } from "./rule-file.js";
import type { InstanceState } from "./state-machine.js";

export interface Annotation {
  silencedBy: string[];
  inhibited: boolean;
}

/** Silences and inhibition for every instance. */
export function annotate(
  instances: readonly InstanceState[],
  silences: readonly Silence[],
  inhibit: boolean,
): Map<string, Annotation> {
  const out = new Map<string, Annotation>();
  const active = silences.filter((s) => s.active);
  for (const i of instances)
    out.set(i.id, {
      silencedBy: active.filter((s) => matches(s.matchers, i.labels)).map((s) => s.id),
      inhibited: false,
    });
  if (!inhibit) return out;
  // The worst firing, unsilenced severity per server inhibits lower severities of that server.
  const worst = new Map<string, number>();
  for (const i of instances) {
    const server = i.labels.server;
    if (i.state !== "firing" || !server || out.get(i.id)?.silencedBy.length) continue;
    worst.set(server, Math.max(worst.get(server) ?? -1, RANK[i.severity]));
  }
  for (const i of instances) {
    const server = i.labels.server;
    if (server && (worst.get(server) ?? -1) > RANK[i.severity]) {
      const a = out.get(i.id);
      if (a) a.inhibited = true;
    }
  }
  return out;
}

export interface GroupState {
  key: string;
  firstSeenAt: number;
  lastSentAt: number | null;
  /**
   * Ids of the alerts the group's channels were told fire and not yet told resolved: those its last
   * notification carried, and those carried before that a silence or inhibition holds back since.
   */
  sentFiring: string[];
}

export interface PlannedNotification {
  route: Route;
  /** The channels it goes to: those of the route's that hear exactly these alerts from this route. */
  channels: string[];
  groupKey: string;
  notification: Omit<AlertNotification, "receiver">;
}

export interface Plan {
  notifications: PlannedNotification[];
  /** Group states after this step (changed or new). */
  groups: GroupState[];
  /** Group keys to forget (everything in them resolved and said so). */
  forget: string[];
}

interface Member {
  route: Route;
  labels: Record<string, string>;
  ids: Set<string>;
  /** Per channel of the route, the alerts this route is the first (in file order) to bring there. */
  byChannel: Map<string, Set<string>>;
}

function groupLabels(route: Route, labels: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of route.groupBy) if (labels[name] !== undefined) out[name] = labels[name];
  return out;
}

function notified(
  i: InstanceState,
  status: "firing" | "resolved",
  valueText: (i: InstanceState) => string,
): NotifiedAlert {
  return {
    id: i.id,
    rule: i.rule,
    status,
    severity: i.severity,
    labels: i.labels,
    summary: i.summary,
    value: i.value,
    valueText: valueText(i),
    startsAt: new Date(i.firedAt ?? i.activeAt).toISOString(),
    endsAt: status === "resolved" && i.resolvedAt !== null ? new Date(i.resolvedAt).toISOString() : null,
  };
}

/**
 * A route's identity in group keys: what it takes and where it sends, not its place in the file or its
 * timings, so reordering routes or changing a wait does not make firing alerts notify again.
 */
function routeId(route: Route, isDefault: boolean): string {
  const text = JSON.stringify([isDefault, route.matchers, route.channels, route.groupBy]);
  return createHash("sha256").update(text).digest("hex").slice(0, 12);
}

export function plan(
  instances: readonly InstanceState[],
  annotations: ReadonlyMap<string, Annotation>,
  routes: readonly Route[],
  defaultRoute: Route,
  groups: ReadonlyMap<string, GroupState>,
  now: number,
  /** An alert's value for people, as its rule formats it. */
  valueText: (i: InstanceState) => string = (i) => (i.value === null ? "–" : String(i.value)),
): Plan {
  const byId = new Map(instances.map((i) => [i.id, i]));
  const all = [...routes, defaultRoute];
  const routesById = new Map(all.map((r) => [routeId(r, r === defaultRoute), r]));
  // Members of each group: instances that fire or resolved, taken by a route (or else the default route).
  // A group is one route's alerts with the same group labels, whatever else takes them, so `group_by`
  // holds and editing another route does not move an alert to a new group (which would notify again).
  const members = new Map<string, Member>();
  for (const i of instances) {
    if (i.state === "pending") continue;
    const taking = routes.filter((r) => matches(r.matchers, i.labels));
    // One alert reaches a channel once: through the first route, in file order, that takes it and names
    // that channel. A later route takes it to its other channels only (to none: not at all).
    const reached = new Set<string>();
    for (const route of taking.length ? taking : [defaultRoute]) {
      const own = route.channels.filter((channel) => !reached.has(channel));
      if (own.length === 0) continue;
      for (const channel of own) reached.add(channel);
      const labels = groupLabels(route, i.labels);
      const key = `${routeId(route, route === defaultRoute)}|${route.channels.join(",")}|${JSON.stringify(labels)}`;
      let m = members.get(key);
      if (!m) {
        m = { route, labels, ids: new Set(), byChannel: new Map() };
        members.set(key, m);
      }
      m.ids.add(i.id);
      for (const channel of own) {
        const ids = m.byChannel.get(channel) ?? new Set<string>();
        ids.add(i.id);
        m.byChannel.set(channel, ids);
      }
    }
  }
  const result: Plan = { notifications: [], groups: [], forget: [] };
  const keys = new Set([...members.keys(), ...groups.keys()]);
  for (const key of keys) {
    const m = members.get(key);
    const before = groups.get(key);
    const route = m?.route ?? routesById.get(key.split("|")[0] ?? "");
    if (!route) {
      result.forget.push(key);
      continue;
    }
    const firing = unmutedFiring(m?.ids);
    const sent = new Set(before?.sentFiring ?? []);
    const resolved = [...sent]
      .map((id) => byId.get(id))
      .filter((i): i is InstanceState => i?.state === "resolved");
    const firingIds = firing.map((i) => i.id);
    if (!before) {
      if (firing.length === 0) continue;
      const state: GroupState = { key, firstSeenAt: now, lastSentAt: null, sentFiring: [] };
      if (route.groupWaitMs <= 0) send(state, "change");
      else result.groups.push(state);
      continue;
    }
    const state: GroupState = { ...before };
    if (state.lastSentAt === null) {
      if (firing.length === 0) result.forget.push(key);
      else if (now - state.firstSeenAt >= route.groupWaitMs) send(state, "change");
      continue;
    }
    const news = firingIds.some((id) => !sent.has(id));
    const changed = news || (route.sendResolved && resolved.length > 0);
    const sinceLast = now - state.lastSentAt;
    if (changed && sinceLast >= route.groupIntervalMs) send(state, "change");
    else if (
      !changed &&
      firing.length > 0 &&
      sinceLast >= route.repeatIntervalMs &&
      firing.some((i) => !i.acknowledged)
    )
      send(state, "repeat");
    else {
      // Nothing to say now. What the channels were told still stands: an alert they heard fire and that
      // is now silenced or inhibited stays theirs, so its resolution reaches them and its coming back is
      // no news. A resolution is kept until it is said (or dropped when the route does not say them).
      const keep = [...held(m?.ids, sent), ...(route.sendResolved ? resolved.map((i) => i.id) : [])];
      if (keep.length === 0) result.forget.push(key);
      else if (keep.length !== sent.size) result.groups.push({ ...state, sentFiring: keep });
    }
  }
  return result;

  /**
   * Tells the group's channels what changed (or, on "repeat", what still fires). Each channel hears the
   * alerts this route is the first to bring it, and only when there is something new to it among them.
   */
  function send(state: GroupState, why: "change" | "repeat"): void {
    const route = routeOf(state.key);
    const m = members.get(state.key);
    const firing = unmutedFiring(m?.ids);
    const sent = new Set(state.sentFiring);
    const resolved = route.sendResolved
      ? state.sentFiring.map((id) => byId.get(id)).filter((i): i is InstanceState => i?.state === "resolved")
      : [];
    const labels =
      m?.labels ?? (JSON.parse(state.key.split("|").slice(2).join("|")) as Record<string, string>);
    // Channels that hear the same alerts get one notification.
    const byAlerts = new Map<
      string,
      { channels: string[]; firing: InstanceState[]; resolved: InstanceState[] }
    >();
    for (const channel of route.channels) {
      // A group no alert belongs to any more (its resolutions left to say) has no first routes to ask.
      const own = m ? (m.byChannel.get(channel) ?? new Set<string>()) : null;
      const mine = (i: InstanceState) => own === null || own.has(i.id);
      const f = firing.filter(mine);
      const r = resolved.filter(mine);
      const news =
        why === "repeat" ? f.some((i) => !i.acknowledged) : f.some((i) => !sent.has(i.id)) || r.length > 0;
      if (!news) continue;
      const key = JSON.stringify([f.map((i) => i.id), r.map((i) => i.id)]);
      const entry = byAlerts.get(key) ?? { channels: [], firing: f, resolved: r };
      entry.channels.push(channel);
      byAlerts.set(key, entry);
    }
    for (const { channels, firing, resolved } of byAlerts.values()) {
      const status = firing.length ? "firing" : "resolved";
      const shown = firing.length ? firing : resolved;
      const worst = shown.reduce(
        (w, i) => (RANK[i.severity] > RANK[w] ? i.severity : w),
        "info" as InstanceState["severity"],
      );
      const labelText = Object.entries(labels)
        .filter(([k]) => k !== "alertname")
        .map(([k, v]) => `${k}=${v}`)
        .join(" ");
      const names = [...new Set(shown.map((i) => i.rule))].join(", ");
      result.notifications.push({
        route,
        channels,
        groupKey: state.key,
        notification: {
          version: "1",
          status,
          severity: worst,
          groupKey: state.key,
          groupLabels: labels,
          title: `[${status.toUpperCase()}:${shown.length}] ${names}${labelText ? ` ${labelText}` : ""}`,
          alerts: [
            ...firing.map((i) => notified(i, "firing", valueText)),
            ...resolved.map((i) => notified(i, "resolved", valueText)),
          ],
          createdAt: new Date(now).toISOString(),
        },
      });
    }
    const told = [...new Set([...firing.map((i) => i.id), ...held(m?.ids, new Set(state.sentFiring))])];
    if (told.length === 0) result.forget.push(state.key);
    else result.groups.push({ ...state, lastSentAt: now, sentFiring: told });
  }

  /** The group's members that fire and that no silence or inhibition holds back. */
  function unmutedFiring(ids: Iterable<string> | undefined): InstanceState[] {
    const out: InstanceState[] = [];
    for (const id of ids ?? []) {
      const i = byId.get(id);
      const a = annotations.get(id);
      if (i?.state === "firing" && !a?.silencedBy.length && !a?.inhibited) out.push(i);
    }
    return out;
  }

  /** Members the channels were told fire and that still fire, muted or not. */
  function held(ids: Iterable<string> | undefined, sent: ReadonlySet<string>): string[] {
    return [...(ids ?? [])].filter((id) => sent.has(id) && byId.get(id)?.state === "firing");
  }

  function routeOf(key: string): Route {
    return members.get(key)?.route ?? routesById.get(key.split("|")[0] ?? "") ?? defaultRoute;
  }
}
