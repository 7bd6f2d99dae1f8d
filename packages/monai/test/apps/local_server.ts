// A local node:http server for the download tests: routes serve payloads with Range support, cut
// transfers short, ignore ranges, redirect or fail, and every request is logged. Nothing leaves the machine.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Route {
  body: Buffer;
  /** answer Range requests with 206 (default true) */
  ranges?: boolean;
  /** on these request numbers (0-based, per route), send only this many bytes of the answer, then cut the connection */
  cutAt?: Record<number, number>;
  status?: number;
  redirect?: string;
  /** send the headers and this many bytes, then nothing (the connection stays open) */
  stallAfter?: number;
}

export interface LoggedRequest {
  path: string;
  range: string | undefined;
  encoding: string | undefined;
}

export async function startServer(routes: Record<string, Route>): Promise<{ url: (p: string) => string; log: LoggedRequest[]; close: () => Promise<void> }> {
  const log: LoggedRequest[] = [];
  const counts: Record<string, number> = {};
  const server = http.createServer((req, res) => {
    const p = req.url ?? '/';
    log.push({ path: p, range: req.headers.range, encoding: req.headers['accept-encoding'] });
    const route = routes[p];
    const k = (counts[p] = (counts[p] ?? -1) + 1);
    if (!route) return void res.writeHead(404).end('not found');
    if (route.redirect) return void res.writeHead(302, { Location: route.redirect }).end();
    if (route.status) return void res.writeHead(route.status).end('error');
    let body = route.body;
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (m && route.ranges !== false) {
      const from = Number(m[1]);
      if (from >= body.length) return void res.writeHead(416, { 'Content-Range': `bytes */${body.length}` }).end();
      res.writeHead(206, { 'Content-Length': body.length - from, 'Content-Range': `bytes ${from}-${body.length - 1}/${body.length}` });
      body = body.subarray(from);
    } else res.writeHead(200, { 'Content-Length': body.length });
    if (route.stallAfter !== undefined) return void res.write(body.subarray(0, route.stallAfter));
    const cut = route.cutAt?.[k];
    if (cut === undefined) return void res.end(body);
    res.write(body.subarray(0, cut), () => setTimeout(() => res.socket?.destroy(), 20));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (p: string) => `http://127.0.0.1:${port}${p}`,
    log,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
