import type net from 'node:net';

/**
 * Whether an RST can be sent on the socket now. Node sends one by closing the handle with
 * SO_LINGER 0, which libuv refuses while a shutdown is queued: from end() (or destroySoon) until
 * 'finish', the FIN is still on its way out. Refused, the call fails with EINVAL after Node has
 * already let go of the handle, so the handle never closes: the process cannot exit, and spins
 * once the peer hangs up. A socket still connecting has no connection to reset.
 */
export function canReset(socket: net.Socket): boolean {
  return !socket.destroyed && !socket.pending && (!socket.writableEnded || socket.writableFinished);
}

/**
 * RST if the socket can take one; any other socket (connecting, sending its FIN) is destroyed,
 * which releases its handle in every state. A socket already gone is left alone.
 */
export function resetSocket(socket: net.Socket): void {
  if (socket.destroyed) return;
  if (!canReset(socket)) {
    socket.destroy();
    return;
  }
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}
