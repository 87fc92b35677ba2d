import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dsim, expectOneLineError, FRAGILE, start, tempDir } from './helpers.ts';

// `dsim viz`: serves the visualizer and the trace on 127.0.0.1 until interrupted. The visualizer
// build is replaced by a stand-in page through DSIM_VIZ_DIST, so this test does not depend on viz/.

describe('dsim viz', () => {
  it('serves the page and the trace, prints the replay URL, stops on SIGINT', async () => {
    const dir = tempDir();
    const dist = join(dir, 'dist');
    const trace = join(dir, 'run.jsonl');
    expect(dsim(['run', FRAGILE, '--trace', trace]).code).toBe(0);
    writeFileSync(join(dir, 'placeholder'), '');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>dsim replay</title><script src="/assets/app.js"></script>');
    writeFileSync(join(dist, 'assets', 'app.js'), 'console.log("replay")');

    const p = start(['viz', trace, '--port', '0'], { DSIM_VIZ_DIST: dist });
    try {
      const m = await p.waitFor(/Replay: (http:\/\/127\.0\.0\.1:(\d+)\/\?trace=\/trace\.jsonl)\n/);
      const base = `http://127.0.0.1:${m[2]}`;
      const page = await fetch(m[1]!);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await page.text()).toContain('<title>dsim replay</title>');
      const js = await fetch(`${base}/assets/app.js`);
      expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
      expect(await js.text()).toBe('console.log("replay")');
      const t = await fetch(`${base}/trace.jsonl`);
      expect(t.status).toBe(200);
      expect(await t.text()).toBe(readFileSync(trace, 'utf8'));
      expect((await fetch(`${base}/assets/missing.js`)).status).toBe(404);
      // A dot-dot segment is normalized away by URL parsing; an encoded slash reaches the server's guard.
      expect((await fetch(`${base}/..%2fplaceholder`)).status).toBe(403);
      expect(p.output().stdout).toContain('press Ctrl-C to stop');
    } finally {
      p.child.kill('SIGINT');
    }
    expect(await p.exited).toBe(0);
  });

  it('takes the next port when the asked one is busy', async () => {
    const dir = tempDir();
    const dist = join(dir, 'dist');
    const trace = join(dir, 'run.jsonl');
    expect(dsim(['run', FRAGILE, '--trace', trace]).code).toBe(0);
    mkdirSync(dist);
    writeFileSync(join(dist, 'index.html'), 'x');
    const blocker = createServer();
    await new Promise<void>((res) => blocker.listen(0, '127.0.0.1', () => res()));
    const busy = (blocker.address() as { port: number }).port;
    const p = start(['viz', trace, '--port', String(busy)], { DSIM_VIZ_DIST: dist });
    try {
      const m = await p.waitFor(/Replay: http:\/\/127\.0\.0\.1:(\d+)\//);
      expect(Number(m[1])).toBeGreaterThan(busy);
    } finally {
      p.child.kill('SIGINT');
      blocker.close();
    }
    expect(await p.exited).toBe(0);
  });

  it('a missing trace or a file that is not a dsim trace is a usage error', () => {
    const dir = tempDir();
    expectOneLineError(dsim(['viz', join(dir, 'none.jsonl')]), /cannot read trace .*none\.jsonl: no such file/);
    const other = join(dir, 'other.jsonl');
    writeFileSync(other, 'hello\n');
    expectOneLineError(dsim(['viz', other]), /other\.jsonl:1: not a dsim trace/);
  });
});
