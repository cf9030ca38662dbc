/**
 * A short supervision lease for the engine host, for tests that suspend a host past its lease (the app
 * itself always runs the defaults of supervision-lease.ts).
 */

/** `<checkMs>,<leaseMs>`: the supervision lease's interval and length. */
export const TEST_SUPERVISION_ENV = "MCPSCOPE_TEST_SUPERVISION";

/** Honoured only under the test runner (`VITEST` set): a variable left in a shell never shortens a lease. */
export function testSupervision(): { supervisionCheckMs: number; supervisionLeaseMs: number } | undefined {
  const value = process.env[TEST_SUPERVISION_ENV];
  if (!value || !process.env.VITEST) return undefined;
  const [check = 0, lease = 0] = value.split(",").map(Number);
  if (!(check > 0 && lease > 0)) return undefined;
  return { supervisionCheckMs: check, supervisionLeaseMs: lease };
}
