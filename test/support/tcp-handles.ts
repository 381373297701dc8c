/**
 * The TCP handles keeping this process's event loop alive: connected sockets and listeners.
 * A socket whose JavaScript side is destroyed but whose handle never closed still counts here,
 * which is how a leak that `'close'` events cannot show is seen.
 */
export interface TcpHandles {
  sockets: number;
  listeners: number;
}

export function tcpHandles(): TcpHandles {
  const info = process.getActiveResourcesInfo();
  return {
    sockets: info.filter((r) => r === 'TCPSocketWrap').length,
    listeners: info.filter((r) => r === 'TCPServerWrap').length,
  };
}
