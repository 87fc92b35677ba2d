import type { DiskView } from '../../core/actor.ts';
import type { DiskError } from '../../core/types.ts';
import { recordsText, type Records } from '../words.ts';

// A map's output on its NodeManager's local disk, as MapTask's final spill leaves it:
// `file.out` holds the partitions one after another (here the records' text, `word\tcount\n`), and
// `file.out.index` one IndexRecord per partition (SpillRecord: startOffset, rawLength, partLength as
// three big-endian longs, MAP_OUTPUT_INDEX_RECORD_LENGTH = 24 bytes).

const encoder = new TextEncoder();
const decoder = new TextDecoder();
export const INDEX_RECORD_BYTES = 24;

export function mapOutputDir(jobId: string, mapAttempt: string): string {
  return `mr/${jobId}/${mapAttempt}`;
}

/** Writes a map's partitions; the error of the first failing disk operation, or null. */
export function writeMapOutput(disk: DiskView, jobId: string, mapAttempt: string, parts: readonly Records[]): DiskError | null {
  const dir = mapOutputDir(jobId, mapAttempt);
  const index = new Uint8Array(INDEX_RECORD_BYTES * parts.length);
  const view = new DataView(index.buffer);
  const chunks: Uint8Array[] = [];
  let offset = 0;
  parts.forEach((p, i) => {
    const bytes = encoder.encode(recordsText(p));
    chunks.push(bytes);
    view.setBigUint64(i * INDEX_RECORD_BYTES, BigInt(offset));
    view.setBigUint64(i * INDEX_RECORD_BYTES + 8, BigInt(bytes.length));
    view.setBigUint64(i * INDEX_RECORD_BYTES + 16, BigInt(bytes.length));
    offset += bytes.length;
  });
  const data = new Uint8Array(offset);
  let at = 0;
  for (const c of chunks) {
    data.set(c, at);
    at += c.length;
  }
  return disk.create(`${dir}/file.out`) ?? disk.append(`${dir}/file.out`, data) ?? disk.create(`${dir}/file.out.index`) ?? disk.append(`${dir}/file.out.index`, index);
}

/** One partition of a map's output (ShuffleHandler's read through the IndexCache), or an error text. */
export function readPartition(disk: DiskView, jobId: string, mapAttempt: string, reduce: number): { readonly records: [string, number][]; readonly bytes: number } | string {
  const dir = mapOutputDir(jobId, mapAttempt);
  const idx = disk.read(`${dir}/file.out.index`, reduce * INDEX_RECORD_BYTES, INDEX_RECORD_BYTES);
  if (idx === 'ENOENT' || idx.length < INDEX_RECORD_BYTES) return `Could not find ${dir}/file.out.index`;
  const v = new DataView(idx.buffer, idx.byteOffset, idx.byteLength);
  const start = Number(v.getBigUint64(0));
  const length = Number(v.getBigUint64(16));
  const data = disk.read(`${dir}/file.out`, start, length);
  if (data === 'ENOENT' || data.length < length) return `Could not read ${dir}/file.out`;
  const records: [string, number][] = [];
  for (const line of decoder.decode(data).split('\n')) {
    if (line === '') continue;
    const tab = line.indexOf('\t');
    const n = Number(line.slice(tab + 1));
    if (tab < 0 || !Number.isInteger(n)) return `corrupt map output ${dir}/file.out`;
    records.push([line.slice(0, tab), n]);
  }
  return { records, bytes: length };
}

/** Map outputs left on a NodeManager's disk (removed when it starts: no NM recovery). */
export function cleanMapOutputs(disk: DiskView): void {
  for (const p of disk.list('mr/')) disk.delete(p);
}
