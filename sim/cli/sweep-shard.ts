import { UsageError } from '../core/invariant.ts';
import { parseShard } from './args.ts';

// `--shard auto`: a sweep split across the tasks of a batch engine takes its shard from the
// engine's own environment, so one job definition serves every task.
//
//   Kubernetes Indexed Job  JOB_COMPLETION_INDEX (0-based); the Job's completion count is not in
//                           the environment, so the command line gives it: --shard auto/N
//   AWS Batch array job     AWS_BATCH_JOB_ARRAY_INDEX (0-based), AWS_BATCH_JOB_ARRAY_SIZE
//   Slurm job array         SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_MIN (the --array range may start
//                           at 0 or 1 or anywhere), SLURM_ARRAY_TASK_COUNT; a step (--array=0-9:2)
//                           is refused: its task ids do not number the shards 1..N
//
// The shard K/N of dsim counts from 1, so K = index - first index + 1.

export interface Shard {
  readonly index: number;
  readonly count: number;
}

type Env = { readonly [name: string]: string | undefined };

interface Engine {
  readonly name: string;
  /** The variable whose presence says the engine runs this process. */
  readonly marker: string;
  read(env: Env): { index0: number; count: number | null };
}

function envInt(env: Env, name: string, engine: string): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') throw new UsageError(`--shard auto: ${engine} sets ${engineMarker(engine)} but not ${name}`);
  if (!/^\s*\d+\s*$/.test(raw)) throw new UsageError(`--shard auto: ${name}='${raw}' is not a non-negative integer`);
  return Number(raw.trim());
}

const ENGINES: readonly Engine[] = [
  {
    name: 'Kubernetes Indexed Job',
    marker: 'JOB_COMPLETION_INDEX',
    read: (env) => ({ index0: envInt(env, 'JOB_COMPLETION_INDEX', 'Kubernetes Indexed Job'), count: null }),
  },
  {
    name: 'AWS Batch array job',
    marker: 'AWS_BATCH_JOB_ARRAY_INDEX',
    read: (env) => ({
      index0: envInt(env, 'AWS_BATCH_JOB_ARRAY_INDEX', 'AWS Batch array job'),
      count: envInt(env, 'AWS_BATCH_JOB_ARRAY_SIZE', 'AWS Batch array job'),
    }),
  },
  {
    name: 'Slurm job array',
    marker: 'SLURM_ARRAY_TASK_ID',
    read: (env) => {
      const id = envInt(env, 'SLURM_ARRAY_TASK_ID', 'Slurm job array');
      const min = env['SLURM_ARRAY_TASK_MIN'] !== undefined ? envInt(env, 'SLURM_ARRAY_TASK_MIN', 'Slurm job array') : 0;
      const step = env['SLURM_ARRAY_TASK_STEP'] !== undefined ? envInt(env, 'SLURM_ARRAY_TASK_STEP', 'Slurm job array') : 1;
      if (step !== 1) throw new UsageError(`--shard auto: SLURM_ARRAY_TASK_STEP=${step}: submit the array without a step (--array=0-N) so task ids number the shards`);
      if (id < min) throw new UsageError(`--shard auto: SLURM_ARRAY_TASK_ID=${id} is below SLURM_ARRAY_TASK_MIN=${min}`);
      return { index0: id - min, count: envInt(env, 'SLURM_ARRAY_TASK_COUNT', 'Slurm job array') };
    },
  },
];

function engineMarker(name: string): string {
  return ENGINES.find((e) => e.name === name)?.marker ?? '?';
}

/** Names of the variables `--shard auto` reads (help and error texts). */
export const SHARD_ENV_VARS = ENGINES.map((e) => e.marker);

/**
 * `--shard K/N`, `--shard auto` or `--shard auto/N`. With auto, exactly one engine's variables
 * must be set; an explicit N must agree with the engine's count when the engine gives one.
 */
export function resolveShard(raw: string, env: Env): Shard {
  const m = /^\s*auto\s*(?:\/\s*(\d+)\s*)?$/.exec(raw);
  if (m === null) return parseShard(raw);
  const given = m[1] !== undefined ? Number(m[1]) : null;
  if (given !== null && given < 1) throw new UsageError(`--shard ${raw}: N must be at least 1`);
  const present = ENGINES.filter((e) => env[e.marker] !== undefined);
  if (present.length === 0) {
    throw new UsageError(`--shard auto: no batch engine's index in the environment (none of ${SHARD_ENV_VARS.join(', ')} is set); use --shard K/N`);
  }
  if (present.length > 1) {
    throw new UsageError(`--shard auto: more than one engine's index is set (${present.map((e) => e.marker).join(', ')}); use --shard K/N`);
  }
  const engine = present[0]!;
  const { index0, count: engineCount } = engine.read(env);
  if (engineCount === null && given === null) {
    throw new UsageError(`--shard auto: a ${engine.name} gives ${engine.marker} but not the number of shards; use --shard auto/N (N = the Job's completions)`);
  }
  if (engineCount !== null && given !== null && engineCount !== given) {
    throw new UsageError(`--shard ${raw}: the ${engine.name} has ${engineCount} tasks, not ${given}`);
  }
  const count = given ?? engineCount!;
  if (count < 1) throw new UsageError(`--shard auto: the ${engine.name} reports ${count} tasks`);
  if (index0 >= count) throw new UsageError(`--shard auto: ${engine.marker}=${index0} but the ${engine.name} has only ${count} tasks (indexes 0..${count - 1})`);
  return { index: index0 + 1, count };
}
