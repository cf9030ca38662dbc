/**
 * Masks secrets before anything is stored or shown. Two kinds of rules find them: credential formats
 * (gitleaks' rule set, token-rules.ts) and structural ones no format list covers (structural-rules.ts) —
 * the password in a URL's user info, the value after a secret-named key in JSON, YAML, `.env`, `export`,
 * flags, headers and query strings, and a Bearer/Basic credential. Every masked value reads `[masked:KIND]`, or
 * `[masked:KIND…WXYZ]` (its last four characters) when it is long enough that four characters give
 * nothing away, so two keys can still be told apart. Only the kind ever leaves this module.
 */
export { BUDGET_MARGIN, CUT_MARK, type MaskBudget } from "./mask-budget.js";
export { mayHoldSecret } from "./mask-precheck.js";
export { maskToolSchema } from "./mask-schema.js";
export { LineMasker, MASKED_VALUE, maskedText, maskString } from "./mask-text.js";
export { maskValue } from "./mask-value.js";
export { isSecretKey, NAMED_SECRET, type SecretKeyStrength, secretKeyStrength } from "./secret-keys.js";
