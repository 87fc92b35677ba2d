import { closest } from '../core/config.ts';
import { UsageError } from '../core/invariant.ts';
import { err, out, RunCrash } from './common.ts';
import { firstLine } from './scenarios.ts';

// The `dsim` command: dispatch, usage text and exit codes. 0: the run met its expectation;
// 1: it did not (or a run blew up); 2: bad input or usage, with a one-line `dsim: error: ...`.
// Commands are imported on demand so `dsim help` and `dsim list` start quickly.

export const USAGE = `dsim: a deterministic simulator of ZooKeeper, Kafka, HDFS and YARN

usage: npx dsim <command> [flags]

commands:
  list [--wide] [--json]
      the scenarios, a line each (--wide: with their systems and full descriptions)
  describe <scenario> [--json]
      what a scenario does and teaches, its systems, faults, expectation, and every config key
  run <scenario-name-or-file> [--seed N] [--config FILE]... [--set key=value]... [--trace FILE] [--faults FILE|-] [--json]
      run one seed (default 1): what happened, the systems' own summaries, the checks, the verdict
        --seed N          run seed (default 1)
        --config FILE     a system's own config file (repeatable): server.properties, producer.properties,
                          zoo.cfg, hdfs-site.xml, core-site.xml, yarn-site.xml, capacity-scheduler.xml,
                          fair-scheduler.xml; unmodelled keys are listed as ignored, unknown keys are errors
        --set key=value   override a config key (repeatable, wins over --config), e.g. --set kafka.acks=1
        --trace FILE      write the JSON Lines trace (open it with: npx dsim viz FILE)
        --faults FILE     replace the scenario's fault schedule with a fault script ('-': stdin)
        --json            print one JSON object
  sweep <scenario> --seeds A..B [--workers N] [--shard K/N] [--set key=value]... [--json]
      run every seed in A..B in parallel and report the seeds that fail
        --seeds A..B      inclusive seed range
        --workers N       worker threads (default: available parallelism; 1 runs in-process)
        --shard K/N       only the seeds whose index in A..B is K-1 modulo N (split across machines)
        --shard auto[/N]  K (and N) from JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX/_SIZE or
                          SLURM_ARRAY_TASK_ID/_COUNT
        --results FILE    also write every seed's outcome as JSON Lines ({K}, {N}: the shard)
        --corpus DIR      shrink each failing seed into a replayable corpus entry (test/corpus/)
  sweep merge FILES... [--corpus DIR] [--json]
      combine the --results files of a sharded sweep into the unsharded sweep's report
  shrink <scenario> --seed N [--config FILE]... [--set key=value]... [--faults FILE|-] [--out FILE] [--max-runs N] [--json]
      reduce a failing seed's fault schedule to a minimal one that still fails
        --out FILE        also write the minimal fault script to FILE
  fork <scenario> --seed N --at T|A..B/S [--branches A..B] [--workers N] [--set key=value]... [--trace FILE] [--json]
      the multiverse: replay seed N exactly up to T, then let each branch continue with its own
      random streams (nemesis, network, disks, processes); report the fraction of branches that
      fail and the checkers; a range of fork times (0s..40s/2s) gives P(fail) against fork time
        --branches A..B   branch indexes (default 1..100); one branch with --trace FILE writes its trace
  bench [--json] [--quick]
      performance figures: bare scheduler, each bench scenario untraced and traced, sweeps, memory
  export <trace> --format perfetto -o FILE
      convert a trace to Chrome trace-event JSON (open in ui.perfetto.dev or chrome://tracing)
  viz <trace> [--port P]
      serve the replay visualizer with this trace on 127.0.0.1 (default port 5175)
  help [command]
      this text, or one command's part of it (also: dsim <command> --help)
  --version
      dsim's version

exit codes: 0 the run met its expectation, 1 it did not, 2 bad input or usage
environment: DSIM_DEBUG=1 prints stack traces
`;

const COMMANDS = ['list', 'describe', 'run', 'sweep', 'fork', 'shrink', 'bench', 'export', 'viz', 'help'] as const;

/** One command's part of the usage text. */
export function commandHelp(cmd: string): string | null {
  const lines = USAGE.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`  ${cmd} `) || l === `  ${cmd}`);
  if (start < 0) return null;
  let end = start + 1;
  while (end < lines.length && (lines[end]!.startsWith('    ') || lines[end] === '' && end + 1 < lines.length && lines[end + 1]!.startsWith('    '))) end++;
  return [`usage: npx dsim ${lines[start]!.trim()}`, ...lines.slice(start + 1, end).map((l) => l.slice(2)), '', 'exit codes: 0 success (run: the expectation was met), 1 it was not, 2 bad input or usage'].join('\n');
}

async function dispatch(argv: readonly string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === '--version' || cmd === '-V' || cmd === 'version' || (cmd !== undefined && (COMMANDS as readonly string[]).includes(cmd) && rest.includes('--version'))) {
    out(`dsim ${(await import('../harness/run.ts')).DSIM_VERSION}`);
    return 0;
  }
  if (cmd === 'help' && rest.length > 0) {
    const h = commandHelp(rest[0]!);
    if (h === null) throw unknownCommand(rest[0]!);
    out(h);
    return 0;
  }
  if (cmd === undefined || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    out(USAGE);
    return 0;
  }
  if ((COMMANDS as readonly string[]).includes(cmd) && (rest.includes('--help') || rest.includes('-h'))) {
    out(commandHelp(cmd) ?? USAGE);
    return 0;
  }
  switch (cmd) {
    case 'list': return (await import('./cmd-list.ts')).cmdList(rest);
    case 'describe': return (await import('./cmd-describe.ts')).cmdDescribe(rest);
    case 'run': return (await import('./cmd-run.ts')).cmdRun(rest);
    case 'sweep': return (await import('./cmd-sweep.ts')).cmdSweep(rest);
    case 'fork': return (await import('./cmd-fork.ts')).cmdFork(rest);
    case 'shrink': return (await import('./cmd-shrink.ts')).cmdShrink(rest);
    case 'bench': return (await import('./cmd-bench.ts')).cmdBench(rest);
    case 'export': return (await import('./cmd-export.ts')).cmdExport(rest);
    case 'viz': return (await import('./cmd-viz.ts')).cmdViz(rest);
    default:
      throw unknownCommand(cmd);
  }
}

function unknownCommand(cmd: string): UsageError {
  const best = closest(cmd, COMMANDS);
  return new UsageError(`unknown command '${cmd}'${best !== null ? ` (did you mean '${best}'?)` : ''}; see 'dsim help'`);
}

/** Exit code of the prebuilt command asking bin/dsim.mjs to run the sources instead (never seen by users). */
export const NEEDS_SOURCE_EXIT = 70;

const debug = (): boolean => process.env['DSIM_DEBUG'] === '1';

/** Runs the command line and returns the exit code; never throws. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    return await dispatch(argv);
  } catch (e) {
    // The prebuilt command met a scenario file it does not hold: bin/dsim.mjs reruns from the sources.
    if ((globalThis as { __dsimNeedsSource?: string }).__dsimNeedsSource !== undefined) return NEEDS_SOURCE_EXIT;
    if (e instanceof UsageError) {
      err(`dsim: error: ${firstLine(e)}`);
      if (debug()) err(e.stack ?? '');
      return 2;
    }
    if (e instanceof RunCrash) {
      err(`dsim: run failed: ${e.message}`);
      err(`  reproduce: ${e.reproduce}`);
      if (debug()) err(e.cause instanceof Error ? e.cause.stack ?? '' : String(e.cause));
      else err('  (DSIM_DEBUG=1 prints the stack)');
      return 1;
    }
    err(`dsim: error: ${e instanceof Error ? `${e.name}: ` : ''}${firstLine(e)}`);
    if (debug()) err(e instanceof Error ? e.stack ?? '' : String(e));
    return 1;
  }
}
