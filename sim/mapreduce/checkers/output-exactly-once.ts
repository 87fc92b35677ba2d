import type { Checker, CheckStatus } from '../../world/checker.ts';
import type { World } from '../../world/world.ts';
import { NameNode } from '../../hdfs/namenode/namenode.ts';
import type { INode } from '../../hdfs/namenode/namespace.ts';
import { expectedOutput, partName, recordsDigest, type Records } from '../words.ts';

// mr-output-exactly-once: a committed job's output equals the fault-free output.
// The fault-free output is the word count of the input the job listed (mr-job-input), each file
// checked against the NameNode's namespace at that moment (the same path, a file of that length):
// under faults the input writer may have written less than it meant to.
// - When `<out>/_SUCCESS` is created (its create acknowledged by the NameNode), the output dir
//   already holds the whole output: no partial output is visible as complete.
// - At the end, if `_SUCCESS` exists or the job reported SUCCEEDED: `_SUCCESS` exists and the output
//   dir holds exactly one part-r-NNNNN per reduce, no other part file, and each is a file a reduce
//   attempt wrote and closed (by inode id) whose records are the fault-free partition's: no word
//   missing, none counted twice, no partial file.

export interface OutputCheckOptions {
  readonly outputDir: string;
  readonly bytesPerChecksum: number;
}

interface Written {
  readonly attempt: string;
  readonly partition: number;
  readonly digest: string;
  readonly records: number;
}

function outputDirIn(world: World, dir: string): Map<string, INode> | null | 'down' {
  if (!world.hasProcess('nn')) return 'down';
  const nn = world.actors[world.pid('nn')];
  if (!(nn instanceof NameNode)) return 'down';
  const n = nn.fs.ns.resolve(dir);
  return n === null || n.kind !== 'dir' ? null : n.children;
}

export function outputExactlyOnceChecker(opts: OutputCheckOptions): Checker {
  const name = 'mr-output-exactly-once';
  const written = new Map<number, Written>();
  let expectedRecords: readonly Records[] | null = null;
  let expected: string[] = [];
  let succeeded = false;

  /** What is wrong with the output dir's part files now (empty: it is the whole, exact output). */
  const problems = (children: Map<string, INode>): string[] => {
    const out: string[] = [];
    if (expectedRecords === null) return ['the job committed output without having listed its input'];
    for (let p = 0; p < expected.length; p++) {
      const f = children.get(partName(p));
      if (f === undefined || f.kind !== 'file') {
        out.push(`${partName(p)} is missing: partition ${p}'s ${expectedRecords[p]!.length} words are not in the output`);
        continue;
      }
      const w = written.get(f.id);
      if (w === undefined) out.push(`${partName(p)} (inode ${f.id}) is no file a reduce attempt wrote and closed`);
      else if (w.partition !== p) out.push(`${partName(p)} holds partition ${w.partition}'s output (written by ${w.attempt})`);
      else if (w.digest !== expected[p]) out.push(`${partName(p)} (from ${w.attempt}) has ${w.records} records, digest ${w.digest}; the fault-free partition has ${expectedRecords[p]!.length}, digest ${expected[p]}`);
    }
    for (const [n, f] of children) {
      if (/^part-/.test(n) && !/^part-r-\d{5}$/.test(n)) out.push(`unexpected output file ${n}`);
      else if (/^part-r-\d{5}$/.test(n) && Number(n.slice(7)) >= expected.length) out.push(`${n} (inode ${f.id}) is beyond the job's ${expected.length} reduces`);
    }
    return out;
  };

  return {
    name,
    kind: 'safety',
    description: 'a committed MapReduce job\'s output is the fault-free output: one file per reduce, no record missing or duplicated, no partial output visible as committed',
    attach(world: World) {
      world.onObserve('mr-job-input', (_p, d) => {
        const nn = world.hasProcess('nn') ? world.actors[world.pid('nn')] : undefined;
        if (nn instanceof NameNode) {
          for (const f of d.files) {
            const n = nn.fs.ns.resolve(f.path);
            if (n !== null && n.kind === 'file' && n.uc !== null) continue; // still being written: its length moves
            const len = n !== null && n.kind === 'file' ? n.blocks.reduce((s, b) => s + b.numBytes, 0) : -1;
            if (len !== f.length) world.reportViolation(name, `the job listed ${f.path} with ${f.length} bytes; the NameNode has ${len < 0 ? 'no such file' : `${len} bytes`}`);
          }
        }
        expectedRecords = expectedOutput(d.files, opts.bytesPerChecksum, d.reduces);
        expected = expectedRecords.map((r) => recordsDigest(r));
      });
      world.onObserve('mr-output-file', (_p, d) => {
        written.set(d.fileId, { attempt: d.attempt, partition: d.partition, digest: d.digest, records: d.records });
      });
      world.onObserve('mr-job', (_p, d) => {
        if (d.state === 'SUCCEEDED' && d.outputDir === opts.outputDir) succeeded = true;
      });
      world.onObserve('hdfs-nn-op-acked', (_p, d) => {
        if (d.what !== `create ${opts.outputDir}/_SUCCESS`) return;
        const children = outputDirIn(world, opts.outputDir);
        if (children === 'down' || children === null) return;
        for (const p of problems(children)) world.reportViolation(name, `_SUCCESS created while the output was incomplete: ${p}`);
      });
    },
    finish(world: World): CheckStatus | void {
      const children = outputDirIn(world, opts.outputDir);
      if (children === 'down') return 'unknown';
      const hasSuccess = children !== null && children.has('_SUCCESS');
      if (!hasSuccess && !succeeded) return; // nothing committed: nothing to compare
      if (children === null || !hasSuccess) {
        world.reportViolation(name, `the job reported SUCCEEDED but ${opts.outputDir}/_SUCCESS does not exist`);
        return;
      }
      for (const p of problems(children)) world.reportViolation(name, p);
    },
  };
}
