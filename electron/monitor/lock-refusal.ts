/**
 * Why a write was refused while another process held the database's lock: the batch writer's `refusal`,
 * which the wrapper's main thread reads without loading the writer.
 */
export const LOCKED = "the database was locked by another process";
