/**
 * The wrapper's forwarding of one stream to another: bytes go on first and unchanged, back-pressure pauses
 * the source (never buffers), and the observer gets each chunk after it was forwarded.
 */

/**
 * Forwards `source` to `sink` with back-pressure (pause until drain), handing each chunk to `observe`
 * after it was forwarded. A sink that fails (the client closed it) is dropped, and `source` is drained.
 */
export function relay(
  source: NodeJS.ReadableStream,
  sink: NodeJS.WritableStream,
  observe: (chunk: Buffer) => void,
  write: (chunk: Buffer) => boolean = (chunk) => sink.write(chunk),
): void {
  let sinkGone = false;
  const flow = pausable(source, sink);
  const gone = () => {
    sinkGone = true;
    flow.resume();
  };
  sink.on("error", gone);
  source.on("data", (chunk: Buffer) => {
    if (!sinkGone && !(sink as { destroyed?: boolean }).destroyed && !write(chunk)) flow.pause();
    observe(chunk);
  });
}

/**
 * Pauses `source` until `sink` drains (or until `resume`, when the sink is gone). One listener
 * for the stream's life, as a pipe keeps: not a listener added and removed for every read a full pipe
 * pauses (at 64 KiB a read, every read of a large response).
 */
export function pausable(
  source: NodeJS.ReadableStream,
  sink: NodeJS.WritableStream,
): { pause: () => void; resume: () => void } {
  let waiting = false;
  const flow = {
    pause: () => {
      waiting = true;
      source.pause();
    },
    resume: () => {
      waiting = false;
      source.resume();
    },
  };
  sink.on("drain", () => {
    if (waiting) flow.resume();
  });
  return flow;
}
