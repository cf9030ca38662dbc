/**
 * Requests that name a program to run or a place outside the data dir. The app's window asks the user
 * before such a request goes on; browser mode refuses it unless `serve --allow-commands` was given; the
 * terminal serves it as asked. The engine judges each request against what it would replace
 * (`requests.review`), so re-saving what is already there is never new.
 */
import { z } from "zod";
import type { MethodName } from "./api.js";

/** The only methods whose input can define a program or name a folder or config file elsewhere. */
export const REVIEWED_METHODS: ReadonlySet<MethodName> = new Set<MethodName>([
  "servers.add",
  "alerts.channels.put",
  "reports.schedules.put",
  "discovery.list",
  "instrument.entry",
  "instrument.undo",
  "instrument.repair",
]);

export const RequestReviewInputSchema = z.lazy(() =>
  z.object({ method: z.string().min(1).max(100), input: z.unknown() }).strict(),
);

/** Why a request needs the user's consent, worded for a refusal line and for a native question. */
export const ConsentSchema = z.lazy(() =>
  z.object({
    /** What the request would do, one line: `adds a server that runs \`node x.js\``. */
    reason: z.string(),
    /** The question the app asks: `Add a server that runs \`node x.js\`?` */
    question: z.string(),
    /** Below the question: where the value came from and what saying yes does. */
    detail: z.string(),
    /** The button that says yes (`Add`, `Save`). */
    confirm: z.string(),
    /** Where else the user can do it without the flag: `add it in the desktop app or in servers.json`. */
    elsewhere: z.string(),
  }),
);
export type Consent = z.infer<typeof ConsentSchema>;

/** The `serve` option that lets browser mode serve these requests, and the flag as typed. */
export const ALLOW_COMMANDS = "allow-commands";
export const ALLOW_COMMANDS_FLAG = `--${ALLOW_COMMANDS}`;

/** What `serve` prints at start when the flag is on. */
export const ALLOW_COMMANDS_WARNING = `${ALLOW_COMMANDS_FLAG} is on: anyone with the token can make this machine run any program as you`;

/** Browser mode's one-line refusal: what the request would do, and the ways to do it anyway. */
export function browserRefusal(consent: Consent): string {
  return `refused in browser mode: this request ${consent.reason}; allow such requests with \`mcpscope serve ${ALLOW_COMMANDS_FLAG}\`, or ${consent.elsewhere}`;
}

/** What the window's caller is told when the user answers Cancel. */
export const CONSENT_DECLINED = "cancelled: nothing was changed";
