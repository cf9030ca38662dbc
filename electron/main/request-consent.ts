/**
 * Before the window's request that names a program to run or a place elsewhere reaches the engine, the
 * user is asked in a native dialog (Cancel is the default and the Escape answer). The engine judges the
 * request (`requests.review`); the window cannot skip the question, since only this process asks it.
 */
import type { ApiTransport, MethodName } from "../../shared/api.js";
import {
  CONSENT_DECLINED,
  type Consent,
  ConsentSchema,
  REVIEWED_METHODS,
} from "../../shared/request-policy.js";

export interface RequestConsentParts {
  engine: Pick<ApiTransport, "invoke">;
  /** dialog.showMessageBox on the window; resolves with the index of the button pressed. */
  ask(options: ReturnType<typeof consentDialog>): Promise<{ response: number }>;
}

/** Null to go on, or the one-line refusal the window is answered with. */
export type RequestConsent = (method: MethodName, input: unknown) => Promise<string | null>;

export function createRequestConsent(parts: RequestConsentParts): RequestConsent {
  return async (method, input) => {
    if (!REVIEWED_METHODS.has(method)) return null;
    const review = ConsentSchema.nullable().parse(
      await parts.engine.invoke("requests.review", { method, input }),
    );
    if (!review) return null;
    return (await parts.ask(consentDialog(review))).response === 0 ? null : CONSENT_DECLINED;
  };
}

export function consentDialog(consent: Consent) {
  return {
    type: "warning" as const,
    title: "mcpscope",
    message: consent.question,
    detail: consent.detail,
    buttons: [consent.confirm, "Cancel"],
    defaultId: 1,
    cancelId: 1,
    noLink: true,
  };
}
