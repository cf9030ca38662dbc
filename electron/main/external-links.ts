/**
 * Links the renderer opens go to the OS browser, never to an app window. Untrusted content (a server's
 * log, a tool's description) can carry any link, so only a short allow-list of https hosts opens at once;
 * anything else is shown to the user first, who decides.
 */
import { externalLinkTarget } from "./window-security.js";

/** Hosts the app's own pages link to: opened without asking (https only). */
export const TRUSTED_LINK_HOSTS: readonly string[] = ["modelcontextprotocol.io", "github.com"];

export function isTrustedLink(url: string): boolean {
  try {
    const parsed = new URL(url);
    const host = parsed.hostname.toLowerCase();
    return (
      parsed.protocol === "https:" &&
      parsed.username === "" &&
      parsed.password === "" &&
      (parsed.port === "" || parsed.port === "443") &&
      TRUSTED_LINK_HOSTS.some((trusted) => host === trusted || host === `www.${trusted}`)
    );
  } catch {
    return false;
  }
}

/** What the opener needs of the shell: a yes/no question (a native dialog) and the OS browser. */
export interface LinkShell {
  /** Resolves true when the user chose to open `url`. */
  confirm(url: string): Promise<boolean>;
  open(url: string): Promise<void>;
  warn(message: string): void;
}

/** Opens web links: trusted ones at once, others after the user agrees; other schemes never. */
export function createLinkOpener(shell: LinkShell) {
  return async (url: string): Promise<"opened" | "declined" | "refused"> => {
    const target = externalLinkTarget(url);
    if (!target) return "refused";
    try {
      if (!isTrustedLink(target) && !(await shell.confirm(target))) return "declined";
      await shell.open(target);
      return "opened";
    } catch (error) {
      shell.warn(`could not open ${target}: ${error instanceof Error ? error.message : String(error)}`);
      return "refused";
    }
  };
}

/** The native question, as dialog.showMessageBox options: Cancel is the default and the Escape answer. */
export function confirmLinkDialog(url: string) {
  return {
    type: "question" as const,
    title: "mcpscope",
    message: "Open this link in your browser?",
    detail: `${url}\n\nIt comes from content mcpscope shows (a server, a tool, a log), not from mcpscope itself.`,
    buttons: ["Open", "Cancel"],
    defaultId: 1,
    cancelId: 1,
    noLink: true,
  };
}
