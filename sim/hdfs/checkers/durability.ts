import type { Operation } from '../../world/history.ts';
import type { Checker, CheckStatus } from '../../world/checker.ts';
import type { World } from '../../world/world.ts';
import { expectedDigest } from '../content.ts';

// hdfs-durability, from the client history:
// - every byte acknowledged by close() (a `write` ok) or hsync (an `hsync` ok) is readable at the end
//   with the file's content: the last `verify` read of each such path returns at least that many
//   bytes, and their digest is the content model's (content.ts);
// - every successful read (`read`, `verify`) returns the file's true content (no undetected
//   corruption, no bytes from another file or offset), and at least what was acknowledged before the
//   read began (a completed close or hsync; an hflush while its writer is still writing: hflushed
//   bytes are visible to new readers).
// A path whose acknowledged bytes were never read back at the end makes the check `unknown`.

interface Acked {
  seed: number;
  /** Bytes acknowledged by close or hsync, and when (completion time). */
  durable: { length: number; atUs: number }[];
  /** hflush acknowledgements while the write was open: visible to readers that start later. */
  flushed: { length: number; atUs: number; writeEndUs: number }[];
}

function input<T>(o: Operation): T {
  return o.input as T;
}

export function hdfsDurabilityChecker(bytesPerChecksum: number): Checker {
  return {
    name: 'hdfs-durability',
    kind: 'safety',
    description: 'every byte acknowledged by close() or hsync is read back at the end with the same digest; reads return the true content and everything acknowledged before they began',
    finish(world: World): CheckStatus {
      const ops = world.history.operations();
      const files = new Map<string, Acked>();
      const writes = new Map<string, Operation>();
      for (const o of ops) {
        if (o.f !== 'write' || o.key === null) continue;
        files.set(o.key, { seed: input<{ seed: number }>(o).seed, durable: [], flushed: [] });
        writes.set(o.key, o);
      }
      for (const o of ops) {
        const f = o.key === null ? undefined : files.get(o.key);
        if (f === undefined || o.status !== 'ok') continue;
        const out = o.output as { length: number } | null;
        if (o.f === 'write') f.durable.push({ length: out!.length, atUs: o.completeUs });
        else if (o.f === 'hsync') f.durable.push({ length: out!.length, atUs: o.completeUs });
        else if (o.f === 'hflush') f.flushed.push({ length: out!.length, atUs: o.completeUs, writeEndUs: writes.get(o.key!)!.completeUs });
      }
      let unknown = false;
      for (const [path, f] of files) {
        const reads = ops.filter((o) => o.key === path && (o.f === 'read' || o.f === 'verify'));
        for (const r of reads) {
          if (r.status !== 'ok') continue;
          const out = r.output as { length: number; digest: string };
          if (out.digest !== expectedDigest(f.seed, out.length, bytesPerChecksum)) {
            world.reportViolation('hdfs-durability', `${r.process} read ${out.length} bytes of ${path} whose content is wrong (digest ${out.digest}, expected ${expectedDigest(f.seed, out.length, bytesPerChecksum)})`);
            continue;
          }
          // The final read-back is judged below, once.
          if (r.f === 'verify') continue;
          const before = [...f.durable, ...f.flushed.filter((x) => r.completeUs < x.writeEndUs)].filter((x) => x.atUs < r.invokeUs);
          const need = Math.max(0, ...before.map((x) => x.length));
          if (out.length < need) {
            world.reportViolation('hdfs-durability', `${r.process} read ${out.length} bytes of ${path}, but ${need} were acknowledged before the read began`);
          }
        }
        const acked = Math.max(0, ...f.durable.map((x) => x.length));
        if (acked === 0) continue;
        const verifies = reads.filter((o) => o.f === 'verify');
        const last = verifies[verifies.length - 1];
        if (last === undefined) {
          unknown = true;
          continue;
        }
        if (last.status !== 'ok') {
          world.reportViolation('hdfs-durability', `${acked} acknowledged bytes of ${path} are unreadable at the end: ${last.error ?? last.status}`);
        } else if ((last.output as { length: number }).length < acked) {
          world.reportViolation('hdfs-durability', `${path}: ${acked} bytes were acknowledged (close or hsync) but only ${(last.output as { length: number }).length} are readable at the end`);
        }
      }
      return unknown ? 'unknown' : 'pass';
    },
  };
}
