/**
 * Notes when a server says it is another version than in its previous session: an entry like `npx -y
 * pkg` updates the server under its user, and "the errors started with 2.1.0" needs the moment it did.
 * Compared with the newest earlier session of the same entry whose handshake gave a version: one name
 * configured in two clients is two entries, which may well run different versions side by side.
 */
import { peerText } from "../../../shared/peer.js";
import type { SessionFacts } from "../protocol/observations.js";
import type { SessionContext, SessionWatcher, SessionWatcherFactory } from "../session-watchers.js";
import { ENTRY_SESSION, entryParams } from "../store/entry-sessions.js";
import { insertEvent } from "./tracker.js";

export const serverVersionWatcher: SessionWatcherFactory = (context: SessionContext): SessionWatcher => {
  const { identity, writer } = context;
  let compared = false;
  return {
    session(facts: SessionFacts, at: number) {
      // Facts arrive masked; the server's are told once, by its answer to the handshake.
      if (compared || facts.serverVersion === undefined) return;
      compared = true;
      const { serverName = null, serverVersion } = facts;
      const entry = {
        name: identity.server,
        client: identity.client ?? null,
        entry: identity.entry ?? null,
        unmarked: false,
      };
      writer.enqueueWrite((db) => {
        const previous = db
          .prepare(
            `SELECT id, server_name, server_version FROM sessions s
             WHERE server = ? AND ${ENTRY_SESSION} AND id <> ? AND started_at <= ? AND server_version IS NOT NULL
             ORDER BY started_at DESC LIMIT 1`,
          )
          .get(entry.name, ...entryParams(entry), identity.sessionId, identity.startedAt);
        if (!previous || previous.server_version === serverVersion) return;
        const was = String(previous.server_version);
        const wasName = previous.server_name === null ? null : String(previous.server_name);
        insertEvent(db, {
          time: at,
          category: "system",
          type: "server.version_changed",
          severity: "info",
          server: identity.server,
          session: identity.sessionId,
          message: `${identity.server}: the server went from ${peerText(wasName, was)} to ${peerText(serverName, serverVersion)}`,
          details: {
            serverName,
            serverVersion,
            previousName: wasName,
            previousVersion: was,
            previousSessionId: String(previous.id),
          },
        });
      });
    },
  };
};
