/**
 * The SQL form of SERVED_DIRECTION (shared/domain.ts): the condition on a `calls` or `rollup_series` row
 * that keeps it in its server's figures, the requests the server served.
 */
import { SERVED_DIRECTION } from "../../../shared/domain.js";

export const SERVED_WHERE = `direction = '${SERVED_DIRECTION}'`;
