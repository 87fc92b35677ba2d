import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { UsageError } from '../core/invariant.ts';
import { parseArgs, parseNonNegativeInt, positionals } from './args.ts';
import { err, out } from './common.ts';
import { REPO_ROOT } from './scenarios.ts';
import { readTraceHeader } from './trace-file.ts';

// `dsim viz <trace> [--port P]`: serves the built visualizer (viz/dist) and the trace at
// /trace.jsonl on 127.0.0.1 until Ctrl-C. Builds the visualizer first if it has not been built.
// DSIM_VIZ_DIST points at another build (tests, packaged installs).

export const DEFAULT_PORT = 5175;
const PORT_TRIES = 50;

const TYPES: { [ext: string]: string } = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.jsonl': 'application/x-ndjson; charset=utf-8',
};

async function vizDist(): Promise<string> {
  const override = process.env['DSIM_VIZ_DIST'];
  if (override !== undefined && override !== '') {
    const dir = resolve(override);
    if (!existsSync(join(dir, 'index.html'))) throw new UsageError(`DSIM_VIZ_DIST=${override} has no index.html`);
    return dir;
  }
  const dist = join(REPO_ROOT, 'viz', 'dist');
  if (existsSync(join(dist, 'index.html'))) return dist;
  const configFile = join(REPO_ROOT, 'viz', 'vite.config.ts');
  if (!existsSync(configFile)) throw new Error(`the visualizer is not built (${dist}/index.html is missing) and ${configFile} is not there to build it`);
  err('dsim: building the visualizer (vite build --config viz/vite.config.ts)...');
  const vite = await import('vite');
  // As `npm run build:viz` does it: from the repository root, with the config file deciding the rest.
  const cwd = process.cwd();
  process.chdir(REPO_ROOT);
  try {
    await vite.build({ configFile, logLevel: 'warn' });
  } finally {
    process.chdir(cwd);
  }
  if (!existsSync(join(dist, 'index.html'))) throw new Error(`vite build finished but ${dist}/index.html is missing`);
  return dist;
}

function send(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

function serveFile(req: IncomingMessage, res: ServerResponse, file: string, cache: string): void {
  const size = statSync(file).size;
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': String(size),
    'cache-control': cache,
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file).on('error', () => res.destroy()).pipe(res);
}

export function handler(dist: string, tracePath: string): (req: IncomingMessage, res: ServerResponse) => void {
  const root = resolve(dist);
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed');
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    } catch {
      return send(res, 400, 'bad request');
    }
    if (path === '/trace.jsonl') {
      if (!existsSync(tracePath)) return send(res, 404, 'the trace file is gone');
      return serveFile(req, res, tracePath, 'no-store');
    }
    const rel = normalize(path === '/' ? 'index.html' : path.replace(/^\/+/, ''));
    const file = resolve(root, rel);
    if (file !== root && !file.startsWith(root + sep)) return send(res, 403, 'forbidden');
    if (existsSync(file) && statSync(file).isFile()) return serveFile(req, res, file, file.endsWith('index.html') ? 'no-store' : 'max-age=60');
    // Client-side routes fall back to the app; missing assets are 404s.
    if (extname(rel) === '') return serveFile(req, res, join(root, 'index.html'), 'no-store');
    return send(res, 404, 'not found');
  };
}

/** Listens on 127.0.0.1 at `port`, or the next free port after it. */
export function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolvePort, reject) => {
    let attempt = 0;
    const tryPort = (p: number): void => {
      const onError = (e: NodeJS.ErrnoException): void => {
        server.off('listening', onListening);
        if (e.code === 'EADDRINUSE' && port !== 0 && ++attempt < PORT_TRIES) tryPort(p + 1);
        else reject(e);
      };
      const onListening = (): void => {
        server.off('error', onError);
        const addr = server.address();
        resolvePort(typeof addr === 'object' && addr !== null ? addr.port : p);
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(p, '127.0.0.1');
    };
    tryPort(port);
  });
}

export async function cmdViz(argv: readonly string[]): Promise<number> {
  const args = parseArgs('viz', argv, { port: { kind: 'value' } });
  const [trace] = positionals('viz', args, ['trace']);
  const port = args.values.has('port') ? parseNonNegativeInt('--port', args.values.get('port')!) : DEFAULT_PORT;
  if (port > 65535) throw new UsageError(`--port must be at most 65535, got ${port}`);
  const tracePath = resolve(trace!);
  const header = readTraceHeader(tracePath);
  const dist = await vizDist();

  const server = createServer(handler(dist, tracePath));
  let bound: number;
  try {
    bound = await listen(server, port);
  } catch (e) {
    throw new UsageError(`viz: cannot listen on 127.0.0.1:${port}: ${(e as Error).message}`);
  }
  out(`Replay: http://127.0.0.1:${bound}/?trace=/trace.jsonl`);
  out(`serving ${trace} (${header.scenario}, seed ${header.seed}); press Ctrl-C to stop`);
  return new Promise<number>((done) => {
    const stop = (): void => {
      server.close(() => done(0));
      server.closeAllConnections();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
