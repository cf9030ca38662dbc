import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { formatBytes } from "../../monitor/alerts/template.js";
import { localActor } from "../../monitor/audit/admin.js";
import { fileTarget } from "../../monitor/output-file.js";
import { databasePath, resolveDataDir } from "../../monitor/paths.js";
import { createBackup, type Progress } from "../../monitor/store/backup.js";
import { rememberBackup } from "../../monitor/store/backup-files.js";
import { removeUnfinishedBackups } from "../../monitor/store/backup-work.js";
import { openDb, openRawDb } from "../../monitor/store/db.js";
import { SCHEMA_VERSION, upgradeLine } from "../../monitor/store/migrations.js";
import { restoreBackup } from "../../monitor/store/restore.js";
import { recordAfterwards, recordBackup, recordRestore } from "../../monitor/store/storage-records.js";
import { VERSION } from "../../monitor/version.js";
import { type FlagSpecs, flagString, formatHelp, parseArgs, UsageError } from "../args.js";
import { COMMAND_SUMMARIES } from "../command-summaries.js";
import type { CliIo, Command } from "../io.js";
import { openAtTerminal } from "../open-db.js";
import { recordedDataDir } from "../recorded-dir.js";
import { cleanUpOnStopSignals } from "../stop-signals.js";

const BACKUP_FLAGS: FlagSpecs = {
  force: { kind: "boolean", help: "replace FILE if it exists" },
  json: { kind: "boolean", help: "print {file (absolute), …manifest} as one JSON document" },
};

/** Progress on stderr, one line per stage step (stdout stays the result). */
function progressTo(io: CliIo, verb: string): Progress {
  let last = "";
  return (stage, done, total) => {
    const percent = total > 0 ? Math.floor((done / total) * 10) * 10 : 0;
    const line =
      stage === "copy"
        ? done === 0
          ? "copying the database (online, writers keep going)"
          : "copied"
        : stage === "restore"
          ? done === 0
            ? "decompressing and checking the database"
            : "swapped in"
          : `${stage === "compress" ? "compressing" : "verifying the checksum"} ${percent}%`;
    if (line === last) return;
    last = line;
    io.stderr.write(`mcpscope ${verb}: ${line}\n`);
  };
}

export const backupCommand: Command = {
  name: "backup",
  summary: COMMAND_SUMMARIES.backup,
  flags: { backup: BACKUP_FLAGS },
  async run(argv, io) {
    const args = parseArgs("backup", argv, BACKUP_FLAGS, { positionals: 1 });
    if (args.flags.help) {
      io.stdout.write(
        formatHelp(
          "mcpscope backup FILE [--force] [--json]",
          this.summary,
          BACKUP_FLAGS,
          "The file holds a manifest (schema version, time range, row counts, sha256) and the database,\ngzip-compressed, as it is (a database an older mcpscope left is not upgraded first; `restore`\nupgrades it); `mcpscope restore FILE` checks all of it before replacing anything. An existing\nFILE is refused unless --force. The data dir remembers the last backup (`mcpscope db info`); an audit record `backup` and a\nstorage.backed_up event record it.",
        ),
      );
      return 0;
    }
    const named = args.positionals[0];
    if (!named) throw new UsageError("name one backup FILE: mcpscope backup FILE");
    const dataDir = recordedDataDir(args);
    const force = args.flags.force === true;
    // Refused before any copying, as report --output and audit export --output refuse it.
    const file = fileTarget(resolve(named), { force, dataDir });
    const path = databasePath(dataDir);
    // Copied as it is, never upgraded first: a backup taken before trying an update is one the installed
    // mcpscope can restore. Its manifest carries the schema, and `restore` upgrades it.
    const db = existsSync(path) ? openRawDb(path) : openAtTerminal(path);
    // Ctrl-C mid-backup must not leave the uncompressed copy of the database (or a part of FILE) behind.
    const off = cleanUpOnStopSignals(removeUnfinishedBackups);
    try {
      const manifest = await createBackup(db, file, {
        version: VERSION,
        progress: progressTo(io, "backup"),
        replace: force,
      });
      rememberBackup(dataDir, { file, time: manifest.createdAt, bytes: statSync(file).size });
      if (manifest.schemaVersion !== SCHEMA_VERSION)
        // Records in this version's shape would not fit another schema's tables.
        io.stderr.write(
          `mcpscope backup: the database has schema ${manifest.schemaVersion} (this mcpscope's is ${SCHEMA_VERSION}): backed up as it is, not upgraded, and the backup is not recorded in it\n`,
        );
      const unrecorded =
        manifest.schemaVersion === SCHEMA_VERSION
          ? recordAfterwards(() =>
              recordBackup(db, { actor: localActor(), file, manifest, time: manifest.createdAt }),
            )
          : null;
      if (unrecorded) io.stderr.write(`mcpscope backup: the backup is whole, but ${unrecorded}\n`);
      const rows = Object.values(manifest.rows).reduce((a, b) => a + b, 0);
      io.stdout.write(
        args.flags.json
          ? `${JSON.stringify({ file, ...manifest })}\n`
          : `backed up ${rows} rows (${formatBytes(manifest.databaseBytes)}, ${formatBytes(manifest.payloadBytes)} compressed) to ${file}\n`,
      );
      return 0;
    } finally {
      off();
      db.close();
    }
  },
};

const RESTORE_FLAGS: FlagSpecs = {
  force: {
    kind: "boolean",
    help: "restore even though an engine (the app, `mcpscope serve`) or `mcpscope run` wrappers use the data dir",
  },
  json: { kind: "boolean", help: "print {database, previous, manifest} as one JSON document" },
};

export const restoreCommand: Command = {
  name: "restore",
  summary: COMMAND_SUMMARIES.restore,
  flags: { restore: RESTORE_FLAGS },
  async run(argv, io) {
    const args = parseArgs("restore", argv, RESTORE_FLAGS, { positionals: 1 });
    if (args.flags.help) {
      io.stdout.write(
        formatHelp(
          "mcpscope restore FILE [--force] [--data-dir DIR] [--json]",
          this.summary,
          RESTORE_FLAGS,
          "Refuses (exit 1, nothing changed) a truncated or altered file, a schema newer than this mcpscope,\na database whose upgrade to this schema fails, and a data dir an engine is using or wrappers\nrecord into (from the moment they start; checked again just before the swap) unless --force.\nThe replaced database is renamed mcpscope.db.before-restore-<time>. The restored database gets an\naudit record `restore` and a storage.restored event: its audit trail ends where the backup did.",
        ),
      );
      return 0;
    }
    const file = args.positionals[0];
    if (!file) throw new UsageError("name one backup FILE: mcpscope restore FILE");
    const dataDir = resolveDataDir(flagString(args, "data-dir"));
    const result = await restoreBackup(file, dataDir, {
      force: args.flags.force === true,
      progress: progressTo(io, "restore"),
      // The backup file is the copy of what is upgraded: none is kept in backups/.
      upgrading: (from, to) => process.stderr.write(`${upgradeLine(from, to, false)}\n`),
    });
    // Into the restored database: the audit chain it holds ends where the backup did, and this record is
    // what says it was rewound, from which file, and where the replaced database went.
    const unrecorded = recordAfterwards(() => {
      const restored = openDb(result.database);
      try {
        recordRestore(restored, {
          actor: localActor(),
          file: resolve(file),
          previous: result.previous,
          manifest: result.manifest,
          time: Date.now(),
        });
      } finally {
        restored.close();
      }
    });
    if (unrecorded) io.stderr.write(`mcpscope restore: the restore is done, but ${unrecorded}\n`);
    const rows = Object.values(result.manifest.rows).reduce((a, b) => a + b, 0);
    io.stdout.write(
      args.flags.json
        ? `${JSON.stringify(result)}\n`
        : `restored ${rows} rows into ${result.database}${result.previous ? `; the previous database is at ${result.previous}` : ""}\n`,
    );
    return 0;
  },
};
