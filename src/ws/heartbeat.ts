/** The part of a ws WebSocket the heartbeat uses. */
export interface PingableSocket {
  ping(): void;
  terminate(): void;
  on(event: 'pong', listener: () => void): unknown;
  off(event: 'pong', listener: () => void): unknown;
}

/**
 * Every intervalMs: drops the peer if it did not answer the previous ping, else sends a
 * protocol ping and the JSON heartbeat (which keeps proxies from closing idle connections).
 * Returns a function that stops it.
 */
export function startHeartbeat(socket: PingableSocket, intervalMs: number, sendHeartbeat: () => void, onDead: () => void): () => void {
  let awaitingPong = false;
  const onPong = () => {
    awaitingPong = false;
  };
  socket.on('pong', onPong);
  const timer = setInterval(() => {
    if (awaitingPong) {
      stop();
      onDead();
      socket.terminate();
      return;
    }
    awaitingPong = true;
    socket.ping();
    sendHeartbeat();
  }, intervalMs);
  timer.unref(); // an idle socket alone must not keep the process alive
  function stop() {
    clearInterval(timer);
    socket.off('pong', onPong);
  }
  return stop;
}
