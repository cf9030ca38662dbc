/**
 * How a stored time is printed for people (the CLI's lines, a report's cells, an answer's message):
 * `2026-11-25 13:59:58Z`, in UTC and marked so, whatever the machine's zone. `--since`/`--until` read a
 * time without an offset as local, so an unmarked UTC time pasted back would name another instant; this
 * one, quoted, names the same. A time that names rows a listing filters by time (calls, events, logs, a
 * session's timeline, and the first and last seen of error groups and log patterns) keeps the
 * milliseconds, which `--until` reads as that whole millisecond: a whole second would end the range before
 * the rows listed at it.
 */
export function listedTime(isoTime: string, options: { ms?: boolean } = {}): string {
  const text = isoTime.replace("T", " ");
  return options.ms ? text : text.replace(/\.\d+Z$/, "Z");
}
