// A preload (`node --import <this file>`) that records every outbound connection and name look-up the process makes:
// TCP and Unix-socket connects (undici, ioredis, http, tls all end in net.Socket#connect), UDP sends and connects,
// and every dns function that resolves a name. Each is appended as one JSON line to $FINGRAPH_OUTBOUND_LOG, written
// synchronously so that nothing is lost when the process exits. Tests compare the lines with what was configured.

import dgram from 'node:dgram';
import dns from 'node:dns';
import { appendFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';

export interface OutboundRecord {
  readonly kind: 'tcp' | 'unix' | 'udp' | 'dns';
  readonly host?: string;
  readonly port?: number;
  readonly path?: string;
  readonly pid: number;
}

const target = process.env.FINGRAPH_OUTBOUND_LOG;
// `node --test dist/test/` runs every file under a test folder, this one included; loaded that way it records nothing.
// Loaded as a preload anywhere else, a missing log file is a mistake in the test, not a reason to record nothing.
if (!target && !process.env.NODE_TEST_CONTEXT) {
  throw new Error('outboundRecorder: FINGRAPH_OUTBOUND_LOG must name the file to record into');
}
if (target) install(target);

function install(logFile: string): void {
  function record(entry: Omit<OutboundRecord, 'pid'>): void {
    appendFileSync(logFile, `${JSON.stringify({ ...entry, pid: process.pid })}\n`);
  }

  type Connect = (this: net.Socket, ...args: unknown[]) => net.Socket;
  const connect = net.Socket.prototype.connect as unknown as Connect;
  net.Socket.prototype.connect = function recordedConnect(this: net.Socket, ...args: unknown[]) {
    // connect(options[, listener]), connect(path[, listener]), connect(port[, host][, listener]); internal calls pass
    // [options, listener] with the normalised-arguments symbol, which reads the same way.
    const [first, second] = Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
    if (typeof first === 'object' && first !== null) {
      const options = first as { path?: string; host?: string; port?: number | string };
      if (options.path) record({ kind: 'unix', path: options.path });
      else record({ kind: 'tcp', host: options.host ?? 'localhost', port: Number(options.port) });
    } else if (typeof first === 'string' && !/^\d+$/.test(first)) {
      record({ kind: 'unix', path: first });
    } else {
      record({ kind: 'tcp', host: typeof second === 'string' ? second : 'localhost', port: Number(first) });
    }
    return connect.apply(this, args);
  } as typeof net.Socket.prototype.connect;

  type Send = (this: dgram.Socket, ...args: unknown[]) => void;
  const send = dgram.Socket.prototype.send as unknown as Send;
  dgram.Socket.prototype.send = function recordedSend(this: dgram.Socket, ...args: unknown[]) {
    const port = args.find((value, index) => index > 0 && typeof value === 'number' && value > 0 && value < 65536);
    const host = args.find((value, index) => index > 1 && typeof value === 'string');
    record({ kind: 'udp', host: typeof host === 'string' ? host : 'localhost', port: Number(port) });
    send.apply(this, args);
  } as typeof dgram.Socket.prototype.send;

  const udpConnect = dgram.Socket.prototype.connect as unknown as Send;
  dgram.Socket.prototype.connect = function recordedUdpConnect(this: dgram.Socket, ...args: unknown[]) {
    record({ kind: 'udp', host: typeof args[1] === 'string' ? args[1] : 'localhost', port: Number(args[0]) });
    udpConnect.apply(this, args);
  } as typeof dgram.Socket.prototype.connect;

  const lookups = [
    'lookup',
    'lookupService',
    'resolve',
    'resolve4',
    'resolve6',
    'resolveAny',
    'resolveCname',
    'resolveMx',
    'resolveNs',
    'resolveSrv',
    'resolveTxt',
    'reverse',
  ] as const;
  function wrapLookups(target: Record<string, unknown>): void {
    for (const name of lookups) {
      const original = target[name];
      if (typeof original !== 'function') continue;
      target[name] = function recordedLookup(this: unknown, ...args: unknown[]) {
        record({ kind: 'dns', host: String(args[0]) });
        return (original as (...inner: unknown[]) => unknown).apply(this, args);
      };
    }
  }
  wrapLookups(dns as unknown as Record<string, unknown>);
  wrapLookups(dns.promises as unknown as Record<string, unknown>);
  wrapLookups(dns.Resolver.prototype as unknown as Record<string, unknown>);
  wrapLookups(dns.promises.Resolver.prototype as unknown as Record<string, unknown>);
  // ESM importers of node:dns read named exports bound at load; this makes them see the wrapped functions.
  syncBuiltinESMExports();
}
