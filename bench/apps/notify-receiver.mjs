// Plays systemd for the latency cases, in a process that does nothing else: it binds notify
// sockets on request and stamps every datagram on arrival, so that an arrival is never late
// because the bench itself was busy (starting apps, collecting their exits, summarising).
// Requests come over IPC; see ../lib/receiver-process.mjs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unixDgram } from '../lib/notify-sink.mjs';

/**
 * @typedef {{ socket: ReturnType<typeof unixDgram.createSocket>, dir: string, arrivals: { lines: string[], at: bigint }[], waiters: Set<() => void> }} Endpoint
 * @typedef {{ type: 'open' } | { type: 'close', path: string } | { type: 'waitFor', path: string, line: string, since: number } | { type: 'sync' }} Request
 */

/** @type {Map<string, Endpoint>} */
const endpoints = new Map();

function open() {
  const dir = mkdtempSync(join(tmpdir(), 'nestjs-systemd-bench-'));
  const path = join(dir, 'notify.sock');
  /** @type {Endpoint} */
  const endpoint = {
    socket: unixDgram.createSocket('unix_dgram'),
    dir,
    arrivals: [],
    waiters: new Set(),
  };
  endpoint.socket.on('message', (data) => {
    // Stamped first: the rest of this callback must not count as delivery time.
    const at = process.hrtime.bigint();
    endpoint.arrivals.push({ lines: data.toString('latin1').split('\n'), at });
    for (const wake of endpoint.waiters) wake();
  });
  endpoint.socket.bind(path);
  endpoints.set(path, endpoint);
  return path;
}

/** @param {Endpoint} endpoint @param {string} line @param {number} since @param {number} id */
function waitFor(endpoint, line, since, id) {
  let checked = since;
  const check = () => {
    for (; checked < endpoint.arrivals.length; checked++) {
      const arrival = endpoint.arrivals[checked];
      if (arrival.lines.includes(line)) {
        endpoint.waiters.delete(check);
        process.send?.({ id, index: checked, at: String(arrival.at) });
        return;
      }
    }
  };
  endpoint.waiters.add(check);
  check();
}

process.on('message', (/** @type {Request & { id: number }} */ request) => {
  if (request.type === 'open') {
    process.send?.({ id: request.id, path: open() });
  } else if (request.type === 'waitFor') {
    const endpoint = endpoints.get(request.path);
    if (endpoint) waitFor(endpoint, request.line, request.since, request.id);
  } else if (request.type === 'sync') {
    // Requests are taken in order: every earlier one (a waitFor) is in place by now.
    process.send?.({ id: request.id });
  } else if (request.type === 'close') {
    const endpoint = endpoints.get(request.path);
    endpoints.delete(request.path);
    endpoint?.socket.close();
    if (endpoint) rmSync(endpoint.dir, { recursive: true, force: true });
    process.send?.({ id: request.id });
  }
});
process.on('disconnect', () => {
  for (const endpoint of endpoints.values()) {
    endpoint.socket.close();
    rmSync(endpoint.dir, { recursive: true, force: true });
  }
});
process.send?.({ id: 0 });
