import type { DiskView } from '../../sim/core/actor.ts';

/** An in-memory DiskView for HDFS unit tests (no page cache, fsync is a no-op). */
export function memDisk(): DiskView & { files: Map<string, Uint8Array>; flip(path: string, offset: number, bit: number): void } {
  const files = new Map<string, Uint8Array>();
  const disk = {
    files,
    flip(path: string, offset: number, bit: number): void {
      const f = files.get(path);
      if (f === undefined) throw new Error(`no file ${path}`);
      f[offset]! ^= bit;
    },
    exists: (p: string) => files.has(p),
    size: (p: string) => files.get(p)?.length ?? -1,
    list: (prefix = '') => [...files.keys()].filter((k) => k.startsWith(prefix)).sort(),
    create: (p: string) => {
      if (files.has(p)) return 'EEXIST' as const;
      files.set(p, new Uint8Array(0));
      return null;
    },
    append: (p: string, d: Uint8Array) => disk.write(p, files.get(p)?.length ?? 0, d),
    write: (p: string, off: number, d: Uint8Array) => {
      const old = files.get(p);
      if (old === undefined) return 'ENOENT' as const;
      const out = new Uint8Array(Math.max(old.length, off + d.length));
      out.set(old);
      out.set(d, off);
      files.set(p, out);
      return null;
    },
    read: (p: string, off: number, len: number) => {
      const f = files.get(p);
      return f === undefined ? ('ENOENT' as const) : f.slice(off, Math.min(f.length, off + len));
    },
    readAll: (p: string) => files.get(p)?.slice() ?? ('ENOENT' as const),
    truncate: (p: string, size: number) => {
      const f = files.get(p);
      if (f === undefined) return 'ENOENT' as const;
      const out = new Uint8Array(size);
      out.set(f.subarray(0, Math.min(size, f.length)));
      files.set(p, out);
      return null;
    },
    rename: (a: string, b: string) => {
      const f = files.get(a);
      if (f === undefined) return 'ENOENT' as const;
      files.delete(a);
      files.set(b, f);
      return null;
    },
    delete: (p: string) => (files.delete(p) ? null : ('ENOENT' as const)),
    fsync: () => {},
    readAsync: () => {},
  };
  return disk;
}
