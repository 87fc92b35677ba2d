import { UsageError } from '../core/invariant.ts';
import type { Json } from '../core/types.ts';

// Workloads: what a client submits. A synthetic application (SLS's AMSimulator kind) is an AM of a
// given size and groups of task containers, each with a size, a duration, a priority, an optional
// preferred host, and a phase: phase 1 (reduces) is asked for once every phase 0 task (maps) is
// done, as SLS's MRAMSimulator does. Workloads come from scenario config or from an SLS JSON job
// trace (hadoop-sls SchedulerLoadSimulator.md, "SLS JSON input file format").

export interface TaskGroup {
  readonly count: number;
  readonly priority: number;
  readonly memoryMb: number;
  readonly vcores: number;
  readonly durationMs: number;
  /** Preferred host (a worker host name) and its rack, or null for anywhere. */
  readonly host: string | null;
  readonly rack: string | null;
  readonly phase: number;
  /** Exit status the task's process ends with (0 for success). */
  readonly exitStatus: number;
}

export interface AppSpec {
  readonly name: string;
  readonly queue: string;
  readonly user: string;
  readonly amMemoryMb: number;
  readonly amVcores: number;
  readonly tasks: readonly TaskGroup[];
  /** am.type of an SLS trace ('mapreduce' by default), shown in the report. */
  readonly appType: string;
  /**
   * The AM is a program of a NodeManager auxiliary service (sim/mapreduce's MRAppMaster) instead
   * of the synthetic AM: the launch context names the service and carries its arguments.
   */
  readonly amProgram?: { readonly service: string; readonly args: Json };
}

/** What a container runs: the AM itself, or a task for its duration. */
export type LaunchSpec =
  | { readonly kind: 'am'; readonly appId: string; readonly spec: AppSpec }
  | { readonly kind: 'task'; readonly durationMs: number; readonly exitStatus: number }
  /** A program of the NM's auxiliary service `service` (yarn.nodemanager.aux-services): MapReduce's AM and tasks. */
  | { readonly kind: 'aux'; readonly service: string; readonly appId: string; readonly args: Json };

export interface Submission {
  readonly atMs: number;
  readonly spec: AppSpec;
}

export function taskCount(spec: AppSpec): number {
  return spec.tasks.reduce((s, g) => s + g.count, 0);
}

// ---------------------------------------------------------------- SLS JSON traces

export interface SlsTrace {
  readonly numNodes: number;
  readonly numRacks: number;
  /** SLS host name ("/default-rack/node1" without rack) -> its rack, in order of first appearance. */
  readonly hosts: readonly { readonly name: string; readonly rack: string }[];
  readonly jobs: readonly SlsJob[];
}

export interface SlsJob {
  readonly id: string;
  readonly amType: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly queue: string;
  readonly user: string;
  readonly tasks: readonly { readonly count: number; readonly host: string | null; readonly rack: string | null; readonly durationMs: number; readonly priority: number; readonly type: 'map' | 'reduce' }[];
}

/** Splits concatenated JSON objects (SLS files are a sequence, not an array); // and /* comments allowed. */
function splitObjects(text: string, source: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  let clean = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      clean += ch;
      if (ch === '\\') {
        clean += text[i + 1] ?? '';
        i++;
      } else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      clean += '\n';
      continue;
    }
    if (ch === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
      continue;
    }
    if (ch === '"') inString = true;
    if (ch === '{') {
      if (depth === 0) start = clean.length;
      depth++;
    }
    clean += ch;
    if (ch === '}') {
      depth--;
      if (depth < 0) throw new UsageError(`${source}: unbalanced '}'`);
      if (depth === 0) {
        const body = clean.slice(start);
        try {
          out.push(JSON.parse(body));
        } catch (e) {
          throw new UsageError(`${source}: object ${out.length + 1} is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
        }
        clean = '';
      }
    } else if (depth === 0 && ch.trim() !== '' && ch !== ',' && ch !== '[' && ch !== ']') {
      throw new UsageError(`${source}: unexpected '${ch}' between job objects`);
    }
  }
  if (depth !== 0) throw new UsageError(`${source}: the last object is not closed`);
  return out;
}

function field(o: Record<string, unknown>, key: string, kind: 'number' | 'string', where: string): number | string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (kind === 'number') {
    const n = typeof v === 'number' ? v : Number(v);
    if (!Number.isFinite(n)) throw new UsageError(`${where}: "${key}" is not a number`);
    return n;
  }
  return String(v);
}

/** Parses an SLS JSON job trace: jobs with am.type, job.start.ms, job.end.ms, job.queue.name, job.id, job.user, job.count and job.tasks. */
export function parseSlsTrace(text: string, source = 'sls.json'): SlsTrace {
  let numNodes = 0;
  let numRacks = 1;
  const hostRack = new Map<string, string>();
  const jobs: SlsJob[] = [];
  let jobIndex = 0;
  splitObjects(text, source).forEach((raw, idx) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new UsageError(`${source}: object ${idx + 1} is not a JSON object`);
    const o = raw as Record<string, unknown>;
    const where = `${source}: object ${idx + 1}`;
    if ('num.nodes' in o && !('job.tasks' in o)) {
      numNodes = field(o, 'num.nodes', 'number', where) as number;
      numRacks = (field(o, 'num.racks', 'number', where) as number | undefined) ?? 1;
      if (!(numNodes >= 1) || !(numRacks >= 1)) throw new UsageError(`${where}: num.nodes and num.racks must be at least 1`);
      return;
    }
    const queue = field(o, 'job.queue.name', 'string', where) as string | undefined;
    if (queue === undefined) throw new UsageError(`${where}: "job.queue.name" is missing`);
    const startMs = (field(o, 'job.start.ms', 'number', where) as number | undefined) ?? 0;
    const endMs = (field(o, 'job.end.ms', 'number', where) as number | undefined) ?? 0;
    const count = (field(o, 'job.count', 'number', where) as number | undefined) ?? 1;
    const tasksRaw = o['job.tasks'];
    if (!Array.isArray(tasksRaw)) throw new UsageError(`${where}: "job.tasks" is not a list`);
    const tasks = tasksRaw.map((t: unknown, ti) => {
      if (typeof t !== 'object' || t === null) throw new UsageError(`${where}: task ${ti + 1} is not an object`);
      const to = t as Record<string, unknown>;
      const tw = `${where} task ${ti + 1}`;
      const hostField = field(to, 'container.host', 'string', tw) as string | undefined;
      let host: string | null = null;
      let rack: string | null = null;
      if (hostField !== undefined && hostField !== '') {
        const parts = hostField.split('/').filter((p) => p !== '');
        host = parts[parts.length - 1]!;
        rack = parts.length > 1 ? `/${parts.slice(0, -1).join('/')}` : '/default-rack';
        if (!hostRack.has(host)) hostRack.set(host, rack);
      }
      const s = field(to, 'container.start.ms', 'number', tw) as number | undefined;
      const e = field(to, 'container.end.ms', 'number', tw) as number | undefined;
      const d = field(to, 'duration.ms', 'number', tw) as number | undefined;
      const durationMs = d ?? (s !== undefined && e !== undefined ? e - s : undefined);
      if (durationMs === undefined || durationMs < 0) throw new UsageError(`${tw}: needs "duration.ms" or "container.start.ms" and "container.end.ms"`);
      const type = (field(to, 'container.type', 'string', tw) as string | undefined) ?? 'map';
      if (type !== 'map' && type !== 'reduce') throw new UsageError(`${tw}: "container.type" '${type}' is not map or reduce`);
      return {
        count: (field(to, 'count', 'number', tw) as number | undefined) ?? 1,
        host, rack, durationMs,
        priority: (field(to, 'container.priority', 'number', tw) as number | undefined) ?? 20,
        type: type as 'map' | 'reduce',
      };
    });
    const givenId = field(o, 'job.id', 'string', where) as string | undefined;
    for (let k = 0; k < count; k++) {
      const id = givenId !== undefined && count === 1 ? givenId : String(jobIndex);
      jobIndex++;
      jobs.push({
        id, amType: (field(o, 'am.type', 'string', where) as string | undefined) ?? 'mapreduce', startMs, endMs, queue,
        user: (field(o, 'job.user', 'string', where) as string | undefined) ?? 'default', tasks,
      });
    }
  });
  const hosts = [...hostRack].map(([name, rack]) => ({ name, rack }));
  return { numNodes: Math.max(numNodes, hosts.length), numRacks, hosts, jobs };
}

export interface SlsMapping {
  /** SLS host -> dsim worker host (w-N). */
  readonly host: ReadonlyMap<string, string>;
  /** SLS rack -> dsim rack. */
  readonly rack: ReadonlyMap<string, string>;
}

/** Maps an SLS trace's hosts onto workers w-1..w-N (in order of first appearance) and its jobs onto submissions. */
export function slsSubmissions(trace: SlsTrace, container: { readonly memoryMb: number; readonly vcores: number }, am: { readonly memoryMb: number; readonly vcores: number }): { submissions: Submission[]; mapping: SlsMapping; workerRacks: string[] } {
  const host = new Map<string, string>();
  const rack = new Map<string, string>();
  const workerRacks: string[] = [];
  trace.hosts.forEach((h, i) => {
    if (!rack.has(h.rack)) rack.set(h.rack, `/rack-${rack.size + 1}`);
    host.set(h.name, `w-${i + 1}`);
    workerRacks.push(rack.get(h.rack)!);
  });
  for (let i = trace.hosts.length; i < trace.numNodes; i++) workerRacks.push(`/rack-${(i % Math.max(trace.numRacks, rack.size || 1)) + 1}`);
  const submissions = trace.jobs.map((j) => ({
    atMs: j.startMs,
    spec: {
      name: `sls_${j.id}`, queue: j.queue, user: j.user, amMemoryMb: am.memoryMb, amVcores: am.vcores, appType: j.amType === 'mapreduce' ? 'MAPREDUCE' : j.amType.toUpperCase(),
      tasks: j.tasks.map((t) => ({
        count: t.count, priority: t.priority, memoryMb: container.memoryMb, vcores: container.vcores, durationMs: t.durationMs,
        host: t.host === null ? null : host.get(t.host) ?? null, rack: t.rack === null ? null : rack.get(t.rack) ?? null,
        phase: t.type === 'map' ? 0 : 1, exitStatus: 0,
      })),
    },
  }));
  return { submissions: submissions.sort((a, b) => a.atMs - b.atMs), mapping: { host, rack }, workerRacks };
}
