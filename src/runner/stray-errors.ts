import { messageOf } from '../cache/adapter-guard.ts';

/** Where adapter code lives: a user's module file, or the built-in adapters and the client libraries they load. */
export function adapterCodeMarkers(modulePath: string | undefined, libraryModule: string | undefined): string[] {
  if (modulePath !== undefined) return [modulePath];
  const builtIn = ['/cache/adapters/', '/cache/wire/', '/cache/faulty/', '/node_modules/ioredis/', '/node_modules/redis/', '/node_modules/@redis/', '/node_modules/memjs/', '/node_modules/redis-2.'];
  return libraryModule ? [...builtIn, `/node_modules/${libraryModule}/`] : builtIn;
}

export interface StrayError {
  /** 'adapter' when the stack runs through adapter code; 'unknown' otherwise. */
  source: 'adapter' | 'unknown';
  kind: 'unhandled rejection' | 'uncaught exception';
  message: string;
}

/**
 * While a run goes on, an error nobody handled (a rejection from a timer in adapter code, an
 * exception thrown from a client library's event handler) must not kill the process and lose
 * the run: it is caught, attributed by its stack, and handed on. Returns the function that
 * removes the handlers.
 */
export function catchStrayErrors(markers: readonly string[], onStray: (stray: StrayError) => void): () => void {
  const handle = (kind: StrayError['kind']) => (error: unknown) => {
    const stack = error instanceof Error ? (error.stack ?? '') : '';
    const source = markers.some((m) => stack.includes(m)) ? 'adapter' : 'unknown';
    onStray({ source, kind, message: messageOf(error).split('\n')[0] });
  };
  const onRejection = handle('unhandled rejection');
  const onException = handle('uncaught exception');
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}
