/**
 * A Drain log template miner (He et al., "Drain: An Online Log Parsing Approach with Fixed Depth Tree",
 * ICWS 2017), laid out as Drain3 does. A line's tokens walk a fixed-depth tree: by token count, then
 * by its first `depth - 3` tokens (never its last); the leaf holds clusters, and the line joins the most similar one (equal tokens / tokens ≥
 * `similarity`) or starts its own. Where a joined line differs, the template gets `<*>`. Tokens with a
 * digit are `<*>` before anything else, so ids, counts, times and addresses never split templates. A line
 * joins only a cluster of its own level (a pattern's level is that of every line it counts; a cluster
 * mined before that rule takes every level and wears the highest, see `anyLevel`, but only lines no
 * cluster of their own level takes), and only by
 * sharing a constant word with it, or all of its tokens: `<*>` against `<*>` alone says nothing two
 * lines have in common (`3 retries` and `12 connected` are not one pattern).
 * Pure and synchronous: persistence is template-analyzer.ts.
 */
import { type LogLevel, levelRank } from "../../../shared/levels.js";

export const WILDCARD = "<*>";

export interface DrainOptions {
  /** Tree depth as Drain3 counts it (default 4: root, token count, first token, leaf). */
  depth?: number;
  /** Minimum share of equal tokens to join a cluster (default 0.5). */
  similarity?: number;
  /** Children per tree node before new tokens share the `<*>` branch (default 100). */
  maxChildren?: number;
  /** Clusters in this miner; past it, unmatched lines count in one overflow cluster (default 1000). */
  maxClusters?: number;
  /** Tokens considered per line (default 64). */
  maxTokens?: number;
}

export interface Cluster {
  /** The database id, once stored. */
  id: number | null;
  tokens: string[];
  /** The tree path the cluster was placed at (length, prefix keys), kept so a reload puts it back there. */
  route: string;
  level: LogLevel;
  /**
   * Mined when a template took lines of every level and wore the highest (before per-level templates): it
   * still does, so an upgrade neither splits it into one template per level nor reports those as new.
   */
  anyLevel: boolean;
  count: number;
  firstSeen: number;
  lastSeen: number;
  example: string;
  exampleId: number | null;
  /** Changed since it was last stored. */
  dirty: boolean;
}

export interface LineMeta {
  level: LogLevel;
  time: number;
  id: number | null;
}

interface TreeNode {
  children: Map<string, TreeNode>;
  clusters: Cluster[];
}

const OVERFLOW_ROUTE = '["overflow"]';
const EXAMPLE_CHARS = 2000;

const newNode = (): TreeNode => ({ children: new Map(), clusters: [] });
const hasDigit = (token: string) => /\d/.test(token);

/** The line a record is known by: its first line, or for a traceback its exception line. */
export function templateLine(message: string): string {
  const lines = message.split("\n");
  const first = (lines[0] ?? "").trim();
  if (/^Traceback \(most recent call last\):/.test(first)) {
    const last = lines.findLast((l) => l.trim() !== "" && !/^\s/.test(l));
    return (last ?? first).trim();
  }
  if (/\.(?:[cm]?[jt]sx?):\d+$/.test(first)) {
    const error = lines.find((l) => /^\w*(?:Error|Exception)\b/.test(l));
    if (error) return error.trim();
  }
  return first;
}

export function tokenize(message: string, maxTokens = 64): string[] {
  const tokens = templateLine(message).split(/\s+/).filter(Boolean).slice(0, maxTokens);
  return tokens.length ? tokens.map((t) => (hasDigit(t) ? WILDCARD : t)) : [WILDCARD];
}

export class Drain {
  private readonly root = new Map<number, TreeNode>();
  private readonly all: Cluster[] = [];
  private overflow: Cluster | null = null;
  private readonly depth: number;
  private readonly similarity: number;
  private readonly maxChildren: number;
  private readonly maxClusters: number;
  private readonly maxTokens: number;

  constructor(options: DrainOptions = {}) {
    this.depth = options.depth ?? 4;
    this.similarity = options.similarity ?? 0.5;
    this.maxChildren = options.maxChildren ?? 100;
    this.maxClusters = options.maxClusters ?? 1000;
    this.maxTokens = options.maxTokens ?? 64;
  }

  get size(): number {
    return this.all.length;
  }

  clusters(): readonly Cluster[] {
    return this.all;
  }

  /** Adds a line; returns its cluster and whether the cluster is new. */
  add(message: string, meta: LineMeta): { cluster: Cluster; created: boolean } {
    const tokens = tokenize(message, this.maxTokens);
    const found = this.search(tokens, meta.level);
    if (found) {
      const merged = found.tokens.map((t, i) => (t === tokens[i] ? t : WILDCARD));
      if (merged.some((t, i) => t !== found.tokens[i])) found.tokens = merged;
      this.count(found, meta);
      return { cluster: found, created: false };
    }
    if (this.all.length >= this.maxClusters) {
      const created = this.overflow === null;
      this.overflow ??= this.place(this.cluster([WILDCARD], OVERFLOW_ROUTE, message, meta), null);
      this.count(this.overflow, meta);
      return { cluster: this.overflow, created };
    }
    const { node, route } = this.route(tokens);
    const cluster = this.place(this.cluster(tokens, route, message, meta), node);
    this.count(cluster, meta);
    return { cluster, created: true };
  }

  /** Puts a stored cluster back at its route (used when loading from the database). */
  load(cluster: Cluster): void {
    if (cluster.route === OVERFLOW_ROUTE) {
      this.overflow = this.place(cluster, null);
      return;
    }
    let keys: unknown;
    try {
      keys = JSON.parse(cluster.route);
    } catch {
      keys = null;
    }
    if (!Array.isArray(keys)) {
      this.place(cluster, this.route(cluster.tokens).node);
      return;
    }
    let node = this.lengthNode(cluster.tokens.length);
    for (const key of keys.slice(1)) {
      const k = String(key);
      let child = node.children.get(k);
      if (!child) {
        child = newNode();
        node.children.set(k, child);
      }
      node = child;
    }
    this.place(cluster, node);
  }

  private search(tokens: string[], level: LogLevel): Cluster | null {
    let node = this.root.get(tokens.length);
    for (let i = 0; node && i < this.prefixDepth(tokens.length); i++) {
      const token = tokens[i] ?? WILDCARD;
      node = node.children.get(token) ?? node.children.get(WILDCARD);
    }
    if (!node) return null;
    // A template of the line's own level first: one marked any-level by an upgrade may have been mined
    // per level (the same text at two levels), and takes the line only when none of its level matches.
    return (
      this.closest(node, tokens, (c) => c.level === level) ??
      this.closest(node, tokens, (c) => c.level !== level && c.anyLevel)
    );
  }

  /** The most similar cluster of a leaf among those `eligible`, if similar enough. */
  private closest(node: TreeNode, tokens: string[], eligible: (cluster: Cluster) => boolean): Cluster | null {
    let best: Cluster | null = null;
    let bestSim = -1;
    let bestParams = -1;
    for (const cluster of node.clusters) {
      if (!eligible(cluster)) continue;
      let same = 0;
      let constant = 0;
      let params = 0;
      for (let i = 0; i < tokens.length; i++) {
        const t = cluster.tokens[i];
        if (t === tokens[i]) {
          same++;
          if (t !== WILDCARD) constant++;
        } else if (t === WILDCARD) params++;
      }
      if (constant === 0 && same < tokens.length) continue;
      const sim = same / tokens.length;
      if (sim > bestSim || (sim === bestSim && params > bestParams)) {
        best = cluster;
        bestSim = sim;
        bestParams = params;
      }
    }
    return best && bestSim >= this.similarity ? best : null;
  }

  /** Walks (creating) the path for a new cluster. */
  private route(tokens: string[]): { node: TreeNode; route: string } {
    let node = this.lengthNode(tokens.length);
    const keys: Array<string | number> = [tokens.length];
    for (let i = 0; i < this.prefixDepth(tokens.length); i++) {
      const token = tokens[i] ?? WILDCARD;
      let key = token;
      if (!node.children.has(token)) {
        // Keep one slot for the shared `<*>` branch.
        const full = node.children.size >= this.maxChildren - (node.children.has(WILDCARD) ? 0 : 1);
        if (full) key = WILDCARD;
      }
      let child = node.children.get(key);
      if (!child) {
        child = newNode();
        node.children.set(key, child);
      }
      node = child;
      keys.push(key);
    }
    return { node, route: JSON.stringify(keys) };
  }

  private prefixDepth(length: number): number {
    return Math.max(0, Math.min(this.depth - 3, length - 1));
  }

  private lengthNode(length: number): TreeNode {
    let node = this.root.get(length);
    if (!node) {
      node = newNode();
      this.root.set(length, node);
    }
    return node;
  }

  private cluster(tokens: string[], route: string, message: string, meta: LineMeta): Cluster {
    return {
      id: null,
      tokens,
      route,
      level: meta.level,
      anyLevel: false,
      count: 0,
      firstSeen: meta.time,
      lastSeen: meta.time,
      example: message.length > EXAMPLE_CHARS ? `${message.slice(0, EXAMPLE_CHARS)}…` : message,
      exampleId: meta.id,
      dirty: true,
    };
  }

  private place(cluster: Cluster, node: TreeNode | null): Cluster {
    node?.clusters.push(cluster);
    this.all.push(cluster);
    return cluster;
  }

  private count(cluster: Cluster, meta: LineMeta): void {
    cluster.count++;
    if (cluster.anyLevel && levelRank(meta.level) > levelRank(cluster.level)) cluster.level = meta.level;
    if (meta.time > cluster.lastSeen) cluster.lastSeen = meta.time;
    if (meta.time < cluster.firstSeen) cluster.firstSeen = meta.time;
    cluster.dirty = true;
  }
}

export function templateText(cluster: Pick<Cluster, "tokens" | "route">): string {
  return cluster.route === OVERFLOW_ROUTE ? "<*> (template limit reached)" : cluster.tokens.join(" ");
}
