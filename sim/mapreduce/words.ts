import { chunkWord, seedOfPath } from '../hdfs/content.ts';

// The job's data: WordCount over text whose words come from HDFS's content model. A file's bytes
// are a function of its seed (sim/hdfs/content.ts): each chunk of dfs.bytes-per-checksum bytes has
// a 32-bit chunk word. Here each full chunk reads as WORDS_PER_CHUNK words of a VOCABULARY-word
// vocabulary, drawn by mixing the chunk word with the word's index; a short last chunk has
// proportionally fewer. A split (one HDFS block) holds whole chunks, because the block size is a
// multiple of bytes-per-checksum, so splitting never cuts a word.

export const WORDS_PER_CHUNK = 8;
export const VOCABULARY = 500;

const WORDS: readonly string[] = Array.from({ length: VOCABULARY }, (_, i) => `w${String(i).padStart(3, '0')}`);

/** Word counts of bytes [start, start + length) of the file at `path` (a map's combine output, unpartitioned). */
export function countWords(path: string, start: number, length: number, bytesPerChecksum: number, into: Map<string, number> = new Map()): Map<string, number> {
  const seed = seedOfPath(path);
  const first = Math.floor(start / bytesPerChecksum);
  const end = start + length;
  for (let c = first; c * bytesPerChecksum < end; c++) {
    const bytes = Math.min(bytesPerChecksum, end - c * bytesPerChecksum);
    const n = bytes === bytesPerChecksum ? WORDS_PER_CHUNK : Math.max(1, Math.floor((bytes * WORDS_PER_CHUNK) / bytesPerChecksum));
    const w = chunkWord(seed, c);
    for (let i = 0; i < n; i++) {
      const word = WORDS[chunkWord(w, i) % VOCABULARY]!;
      into.set(word, (into.get(word) ?? 0) + 1);
    }
  }
  return into;
}

/** HashPartitioner over a Text key: (Text.hashCode() & Integer.MAX_VALUE) % reduces; Text.hashCode is WritableComparator.hashBytes. */
export function partitionOf(word: string, reduces: number): number {
  let h = 1;
  for (let i = 0; i < word.length; i++) h = (Math.imul(31, h) + word.charCodeAt(i)) | 0;
  return (h & 0x7fffffff) % reduces;
}

/** Records as sorted (word, count) pairs: what a map writes per partition and a reduce writes out. */
export type Records = readonly (readonly [string, number])[];

export function sortedRecords(m: ReadonlyMap<string, number>): [string, number][] {
  return [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** TextOutputFormat's lines: `word\tcount\n`. */
export function recordsText(r: Records): string {
  let s = '';
  for (const [w, n] of r) s += `${w}\t${n}\n`;
  return s;
}

/** A digest of records (FNV-1a over their text), with their count: what the checker compares. */
export function recordsDigest(r: Records): string {
  let h = 0x811c9dc5;
  const text = recordsText(r);
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return `${r.length}:${(h >>> 0).toString(16).padStart(8, '0')}`;
}

/** Splits a map's counts by reduce partition, each sorted. */
export function partitionRecords(counts: ReadonlyMap<string, number>, reduces: number): [string, number][][] {
  const parts: Map<string, number>[] = Array.from({ length: reduces }, () => new Map());
  for (const [w, n] of counts) parts[partitionOf(w, reduces)]!.set(w, n);
  return parts.map(sortedRecords);
}

/** The fault-free job output: per reduce partition, the sorted word counts of all input files. */
export function expectedOutput(inputs: readonly { readonly path: string; readonly length: number }[], bytesPerChecksum: number, reduces: number): [string, number][][] {
  const all = new Map<string, number>();
  for (const f of inputs) countWords(f.path, 0, f.length, bytesPerChecksum, all);
  return partitionRecords(all, reduces);
}

/** The part file name of a reduce: part-r-00000 (FileOutputFormat.getUniqueFile with NumberFormat of 5 digits). */
export function partName(reduce: number): string {
  return `part-r-${String(reduce).padStart(5, '0')}`;
}
