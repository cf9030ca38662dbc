/**
 * The largest request or response kept per call unless a setting says otherwise. Alone in its file so that
 * `mcpscope run` can show and apply it without loading the masking rules.
 */
export const DEFAULT_CAPTURE_LIMIT = 64 * 1024;
