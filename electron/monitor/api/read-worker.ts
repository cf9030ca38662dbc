/** A read worker of the engine's read pool (api/read-pool.ts): its own read-only connection, the read handlers. */
import { parentPort, workerData } from "node:worker_threads";
import { openDb } from "../store/db.js";
import { readHandlers } from "./read-handlers.js";
import { type ReadWorkerData, serveReads } from "./read-pool.js";

const { dbPath } = workerData as ReadWorkerData;
if (parentPort) serveReads(parentPort, readHandlers(openDb(dbPath, { readOnly: true })));
