import type net from 'node:net';
import type { Outlet } from './toxic.ts';

/**
 * The end of a pipeline: writes to the destination socket. A destination that cannot keep up
 * pauses the source socket until it drains, whatever stages sit in between, so a slow reader
 * slows the writer as it would without the proxy. Writes to a socket already gone are dropped.
 */
export function socketSink(source: net.Socket, dest: net.Socket, onBytes: (n: number) => void, onEnd: () => void): Outlet {
  let waitingForDrain = false;
  return {
    push(chunk) {
      if (dest.destroyed || dest.writableEnded) return;
      onBytes(chunk.length);
      if (!dest.write(chunk) && !waitingForDrain) {
        waitingForDrain = true;
        source.pause();
        dest.once('drain', () => {
          waitingForDrain = false;
          source.resume();
        });
      }
    },
    end() {
      if (!dest.destroyed && !dest.writableEnded) dest.end();
      onEnd();
    },
  };
}
