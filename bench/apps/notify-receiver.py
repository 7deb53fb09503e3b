#!/usr/bin/env python3
# Plays systemd for the latency cases, in a process that does nothing else: it binds notify
# sockets on request and records every datagram with the time the kernel queued it on the
# socket (SO_TIMESTAMPNS), converted to CLOCK_MONOTONIC, the clock of the apps' stamps
# (process.hrtime.bigint()). So an arrival is the datagram reaching systemd's socket, and never
# late because this process, or the bench, was slow to wake up: that wake-up is the receiver's
# own cost, which systemd pays too, and which a Node receiver's stamps used to include (up to
# 3 ms at p99 on this 2-core machine). Python because Node cannot read a datagram's kernel
# timestamp. Requests and replies are JSON lines on stdin and stdout; see
# ../lib/receiver-process.mjs.
import json
import os
import selectors
import shutil
import socket
import struct
import sys
import tempfile
import time

SO_TIMESTAMPNS = getattr(socket, 'SO_TIMESTAMPNS', 35)
SCM_TIMESTAMPNS = SO_TIMESTAMPNS

selector = selectors.DefaultSelector()
endpoints = {}


def reply(message):
    sys.stdout.write(json.dumps(message) + '\n')
    sys.stdout.flush()


def kernel_arrival(ancillary):
    """The kernel's receive time of a datagram, on CLOCK_MONOTONIC, in nanoseconds."""
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == SCM_TIMESTAMPNS:
            seconds, nanoseconds = struct.unpack('qq', data[:16])
            realtime = time.clock_gettime_ns(time.CLOCK_REALTIME)
            monotonic = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
            return seconds * 1_000_000_000 + nanoseconds - (realtime - monotonic)
    raise RuntimeError('datagram without a kernel timestamp')


def check(endpoint, waiter):
    arrivals = endpoint['arrivals']
    while waiter['checked'] < len(arrivals):
        lines, at = arrivals[waiter['checked']]
        if waiter['line'] in lines:
            endpoint['waiters'].remove(waiter)
            reply({'id': waiter['id'], 'index': waiter['checked'], 'at': str(at)})
            return
        waiter['checked'] += 1


def on_datagram(endpoint):
    data, ancillary, _, _ = endpoint['socket'].recvmsg(65536, 64)
    endpoint['arrivals'].append((data.decode('latin1').split('\n'), kernel_arrival(ancillary)))
    for waiter in list(endpoint['waiters']):
        check(endpoint, waiter)


def open_endpoint():
    directory = tempfile.mkdtemp(prefix='nestjs-systemd-bench-')
    path = os.path.join(directory, 'notify.sock')
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    sock.bind(path)
    endpoint = {'socket': sock, 'dir': directory, 'arrivals': [], 'waiters': []}
    endpoints[path] = endpoint
    selector.register(sock, selectors.EVENT_READ, lambda: on_datagram(endpoint))
    return path


def close_endpoint(path):
    endpoint = endpoints.pop(path, None)
    if endpoint is None:
        return
    selector.unregister(endpoint['socket'])
    endpoint['socket'].close()
    shutil.rmtree(endpoint['dir'], ignore_errors=True)


def on_request(line):
    request = json.loads(line)
    kind = request['type']
    if kind == 'open':
        reply({'id': request['id'], 'path': open_endpoint()})
    elif kind == 'waitFor':
        endpoint = endpoints.get(request['path'])
        if endpoint is not None:
            waiter = {'id': request['id'], 'line': request['line'], 'checked': request['since']}
            endpoint['waiters'].append(waiter)
            check(endpoint, waiter)
    elif kind == 'sync':
        reply({'id': request['id']})
    elif kind == 'close':
        close_endpoint(request['path'])
        reply({'id': request['id']})


def main():
    stdin = sys.stdin.buffer
    pending = b''
    selector.register(stdin, selectors.EVENT_READ, None)
    reply({'id': 0})
    while True:
        for key, _ in selector.select():
            if key.data is not None:
                key.data()
                continue
            chunk = os.read(stdin.fileno(), 65536)
            if not chunk:
                for path in list(endpoints):
                    close_endpoint(path)
                return
            pending += chunk
            *lines, pending = pending.split(b'\n')
            for line in lines:
                if line.strip():
                    on_request(line)


main()
