#!/usr/bin/env node
/**
 * A plain static file server on 127.0.0.1 for the demo and the browser tests — nothing a
 * static host would not do.  Usage: node scripts/serve.mjs [dir] [--port N] [--csp POLICY]
 * As a module: `const server = await serveStatic({ root, port: 0, csp, log })`.
 */
import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/**
 * @param {{ root: string, port?: number, host?: string, csp?: string, log?: (line: object) => void }} o
 * @returns {Promise<import('node:http').Server & { url: string }>}
 */
export function serveStatic({ root, port = 0, host = '127.0.0.1', csp, log }) {
  const base = resolve(root);
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    let body = '';
    req.on('data', (c) => { body += c; });
    await new Promise((r) => req.on('end', r));
    log?.({ method: req.method, path: url.pathname + url.search, body });
    let path = normalize(join(base, decodeURIComponent(url.pathname)));
    if (path !== base && !path.startsWith(base + sep)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    try {
      let info = await stat(path);
      if (info.isDirectory()) {
        path = join(path, 'index.html');
        info = await stat(path);
      }
      const headers = {
        'content-type': TYPES[extname(path)] ?? 'application/octet-stream',
        'content-length': info.size,
        'cache-control': 'no-cache',
      };
      if (csp && headers['content-type'].startsWith('text/html')) headers['content-security-policy'] = csp;
      res.writeHead(200, headers);
      if (req.method === 'HEAD') res.end();
      else createReadStream(path).pipe(res);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.url = `http://${host}:${server.address().port}`;
      ok(server);
    });
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const args = process.argv.slice(2);
  const opt = (name, dflt) => {
    const i = args.indexOf(name);
    if (i < 0) return dflt;
    const v = args[i + 1];
    args.splice(i, 2);
    return v;
  };
  const port = Number(opt('--port', 8080));
  const csp = opt('--csp', undefined);
  const root = args[0] ?? 'build/site';
  const server = await serveStatic({ root, port, csp });
  console.log(`Serving ${root} at ${server.url}/  (Ctrl-C to stop)`);
}
