import type { HdfsFileStatus } from '../../hdfs/protocol.ts';
import type { Ok } from '../hdfs-ops.ts';
import type { MrAppMaster } from './app-master.ts';
import type { Attempt, Split, Task } from './job.ts';

// The AM's side of the output and of recovery, against HDFS:
// - init: what an earlier AM attempt left (MRAppMaster.serviceInit: COMMIT_SUCCESS means the job is
//   done; COMMIT_STARTED without it means a commit was cut short, which only a repeatable commitJob
//   (algorithm 2: FileOutputCommitter.isCommitJobRepeatable) may redo), the output-spec check of a
//   first attempt (FileOutputFormat.checkOutputSpecs), the input splits (FileInputFormat.getSplits:
//   one per block, with its hosts), setupJob (mkdirs <out>/_temporary/<appAttempt>), then recovery
//   of the tasks the previous attempt finished (its job history), with recoverTask for reduces.
// - recordTask: the job history entry of a finished task.
// - commitJob (CommitterEventHandler): COMMIT_STARTED, v1 merges every committed task's files into
//   <out>, then both versions delete <out>/_temporary, create _SUCCESS, and COMMIT_SUCCESS.
// - abortJob: delete <out>/_temporary.

type Step = (next: (err: string | null) => void) => void;

/** Runs steps one after another; the first error ends the run. */
function sequence(steps: readonly Step[], done: (err: string | null) => void): void {
  const run = (i: number): void => {
    if (i >= steps.length) return done(null);
    steps[i]!((err) => (err !== null ? done(err) : run(i + 1)));
  };
  run(0);
}

function unwrap<T>(r: Ok<T>, what: string, next: (err: string | null) => void, use: (v: T) => void): void {
  if (!r.ok) return next(`${what}: ${r.error}`);
  use(r.value);
}

export class JobCommitter {
  /** Planted bug for tests: _SUCCESS before the task outputs are merged (partial output visible). */
  successFirst = false;

  constructor(private readonly am: MrAppMaster) {}

  get staging(): string {
    return `/tmp/hadoop-yarn/staging/${this.am.o.spec.user}/.staging/${this.am.jobId}`;
  }

  private historyDir(appAttempt: number): string {
    return `${this.staging}/history/${appAttempt}`;
  }

  private get out(): string {
    return this.am.settings.outputDir;
  }

  init(done: (err: string | null) => void): void {
    const am = this.am;
    const fs = am.fs;
    let alreadyCommitted = false;
    sequence([
      (next) => fs.stat(`${this.staging}/COMMIT_SUCCESS`, (r) => unwrap(r, 'recovery', next, (st) => {
        alreadyCommitted = st !== null;
        next(null);
      })),
      (next) => {
        if (alreadyCommitted) return next(null);
        fs.stat(`${this.staging}/COMMIT_STARTED`, (r) => unwrap(r, 'recovery', next, (st) => {
          if (st !== null && am.settings.committerVersion === 1) return next(`Previous attempt ${am.appAttempt - 1} of ${am.jobId} started to commit the job and did not finish; a commitJob of algorithm version 1 cannot be repeated`);
          next(null);
        }));
      },
      (next) => {
        if (alreadyCommitted || am.appAttempt > 1) return next(null);
        fs.stat(this.out, (r) => unwrap(r, 'checkOutputSpecs', next, (st) => next(st !== null ? `org.apache.hadoop.mapred.FileAlreadyExistsException: Output directory hdfs://nn:8020${this.out} already exists` : null)));
      },
      (next) => (alreadyCommitted ? next(null) : this.splits(next)),
      (next) => (alreadyCommitted ? next(null) : fs.mkdirs(`${this.out}/_temporary/${am.appAttempt}`, (r) => unwrap(r, 'setupJob', next, () => next(null)))),
      (next) => (alreadyCommitted || am.appAttempt === 1 ? next(null) : this.recover(next)),
    ], (err) => {
      if (err === null && alreadyCommitted) {
        am.host.annotate(`${am.jobId}: the previous attempt committed the job; nothing to do`);
        am.finish('SUCCEEDED', '');
        return;
      }
      done(err);
    });
  }

  /** FileInputFormat.getSplits: every block of every input file, with its DataNodes' hosts and racks. */
  private splits(next: (err: string | null) => void): void {
    const am = this.am;
    const dir = am.settings.inputDir;
    am.fs.list(dir, (r) => unwrap(r, 'getSplits', next, (entries) => {
      if (entries === null) return next(`org.apache.hadoop.mapreduce.lib.input.InvalidInputException: Input path does not exist: hdfs://nn:8020${dir}`);
      const files = entries.filter((e) => !e.isDir && e.length > 0).sort((a, b) => (a.path < b.path ? -1 : 1));
      const splits: Split[] = [];
      const one = (i: number): void => {
        if (i >= files.length) {
          splits.forEach((s, k) => am.job.addTask('map', k, s, am.settings.mapMaxAttempts));
          for (let k = 0; k < am.settings.reduces; k++) am.job.addTask('reduce', k, null, am.settings.reduceMaxAttempts);
          am.host.ctx.observe('mr-job-input', { job: am.jobId, files: files.map((f) => ({ path: f.path, length: f.length })), reduces: am.settings.reduces });
          return next(null);
        }
        const f: HdfsFileStatus = files[i]!;
        am.fs.blocks(f.path, (b) => unwrap(b, 'getSplits', next, (located) => {
          for (const lb of located.blocks) {
            splits.push({ path: f.path, start: lb.offset, length: lb.block.numBytes, hosts: lb.locations.map((l) => l.host), racks: lb.locations.map((l) => l.rack) });
          }
          one(i + 1);
        }));
      };
      one(0);
    }));
  }

  /** MRAppMaster's recovery: tasks the previous attempt's history says finished are done; reduces through recoverTask. */
  private recover(next: (err: string | null) => void): void {
    const am = this.am;
    const prev = am.appAttempt - 1;
    am.fs.list(this.historyDir(prev), (r) => unwrap(r, 'recovery', next, (entries) => {
      const names = (entries ?? []).map((e) => e.path.slice(e.path.lastIndexOf('/') + 1)).sort();
      const one = (i: number): void => {
        if (i >= names.length) return next(null);
        const [taskId, attemptId, nm] = names[i]!.split('@') as [string, string, string];
        const t = am.job.tasks.find((x) => x.id === taskId);
        if (t === undefined || t.state === 'SUCCEEDED') return one(i + 1);
        const recovered = (): void => {
          const a = am.job.newAttempt(t, am.nowUs, false, false);
          // The recovered attempt keeps the previous attempt's id: reduces fetch its output by that name.
          am.job.byAttempt.delete(a.id);
          const old: Attempt = { ...a, id: attemptId, nm, state: 'RUNNING' };
          t.attempts[t.attempts.length - 1] = old;
          am.job.byAttempt.set(attemptId, old);
          t.recovered = true;
          t.commitAttempt = t.kind === 'reduce' ? attemptId : null;
          am.job.succeed(old, am.nowUs);
          am.job.counters.recovered++;
          this.recordTask(t, old);
          one(i + 1);
        };
        if (t.kind === 'map' || am.settings.committerVersion === 2) return recovered();
        // FileOutputCommitter.recoverTask (v1): the committed task dir moves to this attempt's.
        am.fs.move(`${this.out}/_temporary/${prev}/${taskId}`, `${this.out}/_temporary/${am.appAttempt}/${taskId}`, (m) => {
          if (m.ok && m.value) return recovered();
          one(i + 1); // not recoverable: the task runs again
        });
      };
      one(0);
    }));
  }

  recordTask(t: Task, a: Attempt): void {
    this.am.fs.touch(`${this.historyDir(this.am.appAttempt)}/${t.id}@${a.id}@${a.nm ?? ''}`, () => {});
  }

  commitJob(done: (err: string | null) => void): void {
    const am = this.am;
    const fs = am.fs;
    const tmp = `${this.out}/_temporary`;
    const success: Step = (next) => (am.settings.markSuccess ? fs.touch(`${this.out}/_SUCCESS`, (r) => unwrap(r, 'commitJob', next, () => next(null))) : next(null));
    sequence([
      (next) => fs.touch(`${this.staging}/COMMIT_STARTED`, (r) => unwrap(r, 'commitJob', next, () => next(null))),
      ...(this.successFirst ? [success] : []),
      (next) => (am.settings.committerVersion === 1 ? this.mergeAll(next) : next(null)),
      (next) => fs.delete(tmp, true, (r) => unwrap(r, 'commitJob', next, () => next(null))),
      ...(this.successFirst ? [] : [success]),
      (next) => fs.touch(`${this.staging}/COMMIT_SUCCESS`, (r) => unwrap(r, 'commitJob', next, () => next(null))),
    ], done);
  }

  /** v1 commitJob: mergePaths of every committed task dir of this attempt into the output dir. */
  private mergeAll(next: (err: string | null) => void): void {
    const am = this.am;
    const jobAttemptDir = `${this.out}/_temporary/${am.appAttempt}`;
    am.fs.list(jobAttemptDir, (r) => unwrap(r, 'commitJob', next, (dirs) => {
      const taskDirs = (dirs ?? []).filter((d) => d.isDir && !d.path.endsWith('/_temporary')).map((d) => d.path).sort();
      const files: string[] = [];
      const listOne = (i: number): void => {
        if (i >= taskDirs.length) return moveOne(0);
        am.fs.list(taskDirs[i]!, (l) => unwrap(l, 'commitJob', next, (es) => {
          for (const e of es ?? []) if (!e.isDir) files.push(e.path);
          listOne(i + 1);
        }));
      };
      const moveOne = (i: number): void => {
        if (i >= files.length) return next(null);
        const f = files[i]!;
        am.fs.move(f, `${this.out}/${f.slice(f.lastIndexOf('/') + 1)}`, (m) => {
          if (!m.ok) return next(`commitJob: ${m.error}`);
          if (!m.value) return next(`commitJob: could not move ${f}`);
          moveOne(i + 1);
        });
      };
      listOne(0);
    }));
  }

  abortJob(done: () => void): void {
    this.am.fs.delete(`${this.out}/_temporary`, true, () => done());
  }
}
