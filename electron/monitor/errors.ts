/**
 * The engine's typed error. `kind` follows the specification (collection, storage, analysis, alert,
 * notification); `message` is one line that says what went wrong and what to do.
 */
export type MonitoringErrorKind = "collection" | "storage" | "analysis" | "alert" | "notification" | "input";

export class MonitoringError extends Error {
  constructor(
    readonly kind: MonitoringErrorKind,
    message: string,
    readonly retryable = false,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "MonitoringError";
  }

  static storage(message: string, cause?: unknown, retryable = false): MonitoringError {
    return new MonitoringError("storage", message, retryable, { cause });
  }

  static input(message: string): MonitoringError {
    return new MonitoringError("input", message);
  }

  static collection(message: string, cause?: unknown): MonitoringError {
    return new MonitoringError("collection", message, false, { cause });
  }
}
