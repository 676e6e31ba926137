import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startHeartbeat } from '../../src/ws/heartbeat.ts';

function fakePeer() {
  const peer = Object.assign(new EventEmitter(), { pings: 0, terminated: false, ping: () => void peer.pings++, terminate: () => void (peer.terminated = true) });
  return peer;
}

describe('startHeartbeat', () => {
  afterEach(() => void vi.useRealTimers());

  it('pings and sends a heartbeat every interval while the peer answers', () => {
    vi.useFakeTimers();
    const peer = fakePeer();
    let beats = 0;
    const stop = startHeartbeat(peer, 1000, () => beats++, () => {});
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(1000);
      peer.emit('pong');
    }
    expect([peer.pings, beats, peer.terminated]).toEqual([5, 5, false]);
    stop();
    vi.advanceTimersByTime(5000);
    expect(peer.pings).toBe(5);
  });

  it('drops a peer that did not answer the previous ping', () => {
    vi.useFakeTimers();
    const peer = fakePeer();
    let dead = 0;
    startHeartbeat(peer, 1000, () => {}, () => dead++);
    vi.advanceTimersByTime(1000);
    expect(peer.terminated).toBe(false);
    vi.advanceTimersByTime(1000);
    expect([peer.terminated, dead, peer.pings]).toEqual([true, 1, 1]);
    vi.advanceTimersByTime(5000);
    expect(dead).toBe(1);
  });
});
