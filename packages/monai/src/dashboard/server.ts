/**
 * The live training dashboard: a small HTTP server (loopback by default) with one page that plots loss
 * and metric curves as they come (uPlot) and a slice viewer of the latest validation volume with label and
 * prediction overlaid. Updates reach the page as server-sent events; volumes are fetched as bytes.
 *
 * Routes (GET only): /  the page; /uplot.js, /uplot.css  uPlot from node_modules; /events  the event
 * stream; /api/state  every series so far as JSON; /api/volume  the latest snapshot (see volume.ts).
 * Requests whose Host header is not the address the server listens on are refused, so a web page the
 * user visits cannot reach a loopback dashboard through DNS rebinding.
 */
import * as http from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dashboardPage } from './page.js';
import { encodeSnapshot, type VolumeSnapshot } from './volume.js';

export interface DashboardOptions {
  /** TCP port; 0 picks a free one (default 0) */
  port?: number;
  /** interface to listen on (default '127.0.0.1'); anything but loopback must be asked for */
  host?: string;
  /** page title */
  title?: string;
}

/** A curve: 'iteration' series go in the loss chart, 'epoch' series in the metrics chart. */
export interface Series {
  axis: 'iteration' | 'epoch';
  x: number[];
  y: number[];
}

type Message = { type: 'point'; name: string; axis: Series['axis']; x: number; y: number } | { type: 'volume'; version: number; title: string } | { type: 'status'; status: Record<string, unknown> };

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

let uplotFiles: { js: Buffer; css: Buffer } | null = null;
function uplot(): { js: Buffer; css: Buffer } {
  if (uplotFiles === null) {
    const req = createRequire(import.meta.url);
    uplotFiles = { js: readFileSync(req.resolve('uplot/dist/uPlot.iife.min.js')), css: readFileSync(req.resolve('uplot/dist/uPlot.min.css')) };
  }
  return uplotFiles;
}

export class Dashboard {
  readonly options: Required<DashboardOptions>;
  readonly series = new Map<string, Series>();
  status: Record<string, unknown> = {};
  private volume: { version: number; bytes: Buffer; title: string } | null = null;
  private server: http.Server | null = null;
  private clients = new Set<http.ServerResponse>();
  private address: AddressInfo | null = null;

  constructor(options: DashboardOptions = {}) {
    const known = ['port', 'host', 'title'];
    for (const k of Object.keys(options)) if (!known.includes(k)) throw new TypeError(`Dashboard: unknown option '${k}' (expected one of ${known.join(', ')})`);
    const port = options.port ?? 0;
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`Dashboard: port must be an integer in [0, 65535], got ${String(options.port)}`);
    this.options = { port, host: options.host ?? '127.0.0.1', title: options.title ?? 'monai-ts training' };
  }

  /** Starts listening; resolves to the page's URL. */
  async start(): Promise<string> {
    if (this.server) return this.url;
    const server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) => reject(new Error(`Dashboard: cannot listen on ${this.options.host}:${this.options.port}: ${e.code ?? e.message}`, { cause: e })));
      server.listen(this.options.port, this.options.host, () => resolve());
    });
    server.unref(); // a finished training exits even if a browser keeps the stream open
    this.server = server;
    this.address = server.address() as AddressInfo;
    return this.url;
  }

  get url(): string {
    if (!this.address) throw new Error('Dashboard: not started');
    const h = this.address.family === 'IPv6' ? `[${this.address.address}]` : this.address.address;
    return `http://${h}:${this.address.port}/`;
  }

  /** Adds a point to a curve and pushes it to open pages. */
  addPoint(name: string, axis: Series['axis'], x: number, y: number): void {
    if (!Number.isFinite(x)) throw new TypeError(`Dashboard.addPoint: x of '${name}' must be a finite number, got ${x}`);
    let s = this.series.get(name);
    if (!s) this.series.set(name, (s = { axis, x: [], y: [] }));
    else if (s.axis !== axis) throw new TypeError(`Dashboard.addPoint: '${name}' is an ${s.axis} series, got a point on ${axis}`);
    s.x.push(x);
    s.y.push(y);
    this.broadcast({ type: 'point', name, axis, x, y });
  }

  /** Replaces the volume shown in the slice viewer. */
  setVolume(v: VolumeSnapshot): void {
    const version = (this.volume?.version ?? 0) + 1;
    this.volume = { version, bytes: encodeSnapshot(v), title: v.title };
    this.broadcast({ type: 'volume', version, title: v.title });
  }

  /** Status line values (epoch, iteration, elapsed, ...), merged into what the page shows. */
  setStatus(status: Record<string, unknown>): void {
    Object.assign(this.status, status);
    this.broadcast({ type: 'status', status: this.status });
  }

  /** Ends open event streams and stops listening. */
  async close(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = null;
    for (const c of this.clients) c.end();
    this.clients.clear();
    await new Promise<void>((resolve) => s.close(() => resolve()));
    s.closeAllConnections?.();
  }

  private broadcast(m: Message): void {
    if (this.clients.size === 0) return;
    const line = `data: ${JSON.stringify(m)}\n\n`;
    for (const c of this.clients) c.write(line);
  }

  private allowedHost(host: string | undefined): boolean {
    if (!host || !this.address) return false;
    const port = String(this.address.port);
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host);
    if (!m || (m[2] ?? '80') !== port) return false;
    const name = m[1].replace(/^\[|\]$/g, '');
    if (LOOPBACK.has(this.options.host) || this.options.host === '::1') return LOOPBACK.has(name);
    return true; // the user chose to listen beyond loopback
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (!this.allowedHost(req.headers.host)) {
      res.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden host\n');
      return;
    }
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    const send = (type: string, body: string | Buffer, cache = false) =>
      res.writeHead(200, { 'content-type': type, 'cache-control': cache ? 'max-age=3600' : 'no-store', 'x-content-type-options': 'nosniff' }).end(body);
    switch (path) {
      case '/':
        return void send('text/html; charset=utf-8', dashboardPage(this.options.title));
      case '/uplot.js':
        return void send('text/javascript', uplot().js, true);
      case '/uplot.css':
        return void send('text/css', uplot().css, true);
      case '/api/state':
        return void send('application/json', JSON.stringify({ series: Object.fromEntries(this.series), status: this.status, volume: this.volume ? { version: this.volume.version, title: this.volume.title } : null }));
      case '/api/volume':
        if (!this.volume) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('no volume yet\n');
        return void send('application/octet-stream', this.volume.bytes);
      case '/events':
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
        res.write(': connected\n\n');
        this.clients.add(res);
        req.on('close', () => this.clients.delete(res));
        return;
      default:
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  }
}
