/**
 * A transport to handlers in this process: a command that needs a few API methods (not the whole engine
 * with its watchers and timers) uses the same typed client, validation and handlers as the app.
 */
import {
  ApiInputError,
  type ApiTransport,
  isMethodName,
  type MethodName,
  type MethodOutput,
  parseMethodInput,
} from "../../../shared/api.js";

/** What serves one method: its validated input in, its output (or a promise of it) out. */
export type ApiHandlers = {
  [M in MethodName]: (
    input: ReturnType<typeof parseMethodInput<M>>,
  ) => MethodOutput<M> | Promise<MethodOutput<M>>;
};

export type SomeHandlers = Partial<Record<MethodName, (input: never) => unknown>>;

export function inProcessTransport(handlers: SomeHandlers): ApiTransport {
  return {
    async invoke(method, input) {
      const handler = isMethodName(method) ? handlers[method] : undefined;
      if (!isMethodName(method) || !handler) throw new ApiInputError(method, "not served in this process");
      return (handler as (input: unknown) => unknown)(parseMethodInput(method, input));
    },
    subscribe(event) {
      throw new ApiInputError(event, "events are not served in this process");
    },
  };
}
