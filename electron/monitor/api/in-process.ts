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

function refuseEvents(event: string): never {
  throw new ApiInputError(event, "events are not served in this process");
}

export function inProcessTransport(handlers: SomeHandlers): ApiTransport {
  return {
    async invoke(method, input) {
      const handler = isMethodName(method) ? handlers[method] : undefined;
      if (!isMethodName(method) || !handler) throw new ApiInputError(method, "not served in this process");
      return (handler as (input: unknown) => unknown)(parseMethodInput(method, input));
    },
    subscribe: refuseEvents,
  };
}

/** Methods whose handlers come from one module, built when one of them is first asked. */
export interface HandlerGroup {
  methods: readonly MethodName[];
  load: () => Promise<SomeHandlers>;
}

/**
 * A transport that loads each group's handlers on the first call of one of its methods, after that
 * call's input was validated: a command loads the modules of the methods it asks and no others.
 */
export function lazyTransport(groups: readonly HandlerGroup[]): ApiTransport {
  const groupOf = new Map<string, HandlerGroup>();
  for (const group of groups) for (const method of group.methods) groupOf.set(method, group);
  const loaded = new Map<HandlerGroup, Promise<SomeHandlers>>();
  return {
    async invoke(method, input) {
      const group = groupOf.get(method);
      if (!isMethodName(method) || !group) throw new ApiInputError(method, "not served in this process");
      const parsed = parseMethodInput(method, input);
      let handlers = loaded.get(group);
      if (!handlers) {
        handlers = group.load();
        loaded.set(group, handlers);
      }
      const handler = (await handlers)[method];
      if (!handler) throw new ApiInputError(method, "not served in this process");
      return (handler as (input: unknown) => unknown)(parsed);
    },
    subscribe: refuseEvents,
  };
}
