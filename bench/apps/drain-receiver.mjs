// Plays systemd for the notification-cost case: binds the socket given as argv[2] and reads
// datagrams as fast as unix-dgram delivers them, in its own process, so the sender's 10-deep
// queue is emptied by another CPU while the sender works. It only counts and stamps arrivals;
// the sender asks over IPC to be told when a given total has arrived.
import { unixDgram } from '../lib/notify-sink.mjs';

const socket = unixDgram.createSocket('unix_dgram');
let received = 0;
let lastAt = 0n;
/** @type {{ id: number, count: number } | undefined} */
let waiting;

function answer() {
  if (waiting && received >= waiting.count) {
    process.send?.({ id: waiting.id, received, lastAt: String(lastAt) });
    waiting = undefined;
  }
}

socket.on('message', () => {
  received++;
  lastAt = process.hrtime.bigint();
  if (waiting) answer();
});
socket.bind(process.argv[2]);

process.on('message', (/** @type {{ type: string, id?: number, count?: number }} */ request) => {
  if (request.type === 'expect') {
    waiting = { id: request.id ?? 0, count: request.count ?? 0 };
    answer();
  } else if (request.type === 'close') {
    socket.close();
    process.disconnect();
  }
});
process.send?.({ type: 'bound' });
