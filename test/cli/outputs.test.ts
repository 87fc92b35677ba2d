import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { dsim, expectOneLineError, SMALL_PINGPONG, tempDir } from './helpers.ts';

// dsim writes only regular files: a device, a directory, a fifo or a socket given as --trace, -o or
// --out (directly or through a symlink) is a one-line error, exit 2, and is left as it was. Before,
// `export -o /dev/null` replaced the device node with a regular file (as root, destroying /dev/null).

let dir: string;
let trace: string;
let fifo: string;

function kind(p: string): string {
  const st = lstatSync(p);
  return st.isSymbolicLink() ? 'symlink' : st.isFIFO() ? 'fifo' : st.isCharacterDevice() ? 'chardev' : st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
}

beforeAll(() => {
  dir = tempDir();
  trace = join(dir, 'good.jsonl');
  expect(dsim(['run', 'kernel-pb-partition', '--trace', trace]).code).toBe(0); // 4,500 events, 1.3 MB
  fifo = join(dir, 'fifo');
  expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
  mkdirSync(join(dir, 'adir'));
  symlinkSync('/dev/null', join(dir, 'to-null'));
  symlinkSync(join(dir, 'adir'), join(dir, 'to-dir'));
  symlinkSync(fifo, join(dir, 'to-fifo'));
  symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling'));
});

const targets = (): [string, string, RegExp][] => [
  ['/dev/null', 'chardev', /it is a device/],
  [join(dir, 'adir'), 'dir', /it is a directory/],
  [fifo, 'fifo', /it is a fifo/],
  [join(dir, 'to-null'), 'symlink', /it is a device \(via a symlink to \/dev\/null\)/],
  [join(dir, 'to-dir'), 'symlink', /it is a directory \(via a symlink/],
  [join(dir, 'to-fifo'), 'symlink', /it is a fifo \(via a symlink/],
  [join(dir, 'dangling'), 'symlink', /a symlink to nothing/],
];

describe('outputs are regular files only', () => {
  it('run --trace onto a device, a directory, a fifo or a symlink to one: exit 2, nothing replaced', () => {
    for (const [p, k, re] of targets()) {
      expectOneLineError(dsim(['run', ...SMALL_PINGPONG, '--trace', p]), re);
      expect(kind(p)).toBe(k);
    }
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  it('export -o onto them: exit 2, nothing replaced, no temporary left', () => {
    for (const [p, k, re] of targets()) {
      expectOneLineError(dsim(['export', trace, '--format', 'perfetto', '-o', p]), re);
      expect(kind(p)).toBe(k);
    }
    expect(spawnSync('sh', ['-c', `ls -a ${dir} | grep -c tmp-`], { encoding: 'utf8' }).stdout.trim()).toBe('0');
  });

  it('shrink --out onto a device is refused before any run', () => {
    expectOneLineError(dsim(['shrink', ...SMALL_PINGPONG, '--seed', '1', '--out', '/dev/null']), /cannot write fault script \/dev\/null: it is a device/);
  });

  it('a symlink to a regular file is written through: the link stays a link', () => {
    const real = join(dir, 'real.json');
    writeFileSync(real, 'old');
    const link = join(dir, 'link.json');
    symlinkSync(real, link);
    expect(dsim(['export', trace, '--format', 'perfetto', '-o', link]).code).toBe(0);
    expect(kind(link)).toBe('symlink');
    expect(readFileSync(real, 'utf8')).toMatch(/^\{"traceEvents":\[/);
  });

  it('an output under a file (not a directory) or in a read-only place is one line', () => {
    expectOneLineError(dsim(['run', ...SMALL_PINGPONG, '--trace', join(trace, 'x.jsonl')]), /cannot write trace file .*(not a directory)/);
    expectOneLineError(dsim(['export', trace, '-o', '/proc/version']), /cannot write export \/proc\/version/);
  });
});
