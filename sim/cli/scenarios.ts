import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { register } from 'node:module';
import { closest, resolveConfig } from '../core/config.ts';
import { UsageError } from '../core/invariant.ts';
import { scenarioSchema, type Expectation, type Scenario } from '../harness/scenario.ts';

// Scenario discovery. Every .ts module under scenarios/<system>/ (outside lib/ folders) whose
// default export looks like a Scenario is one. Importing every module costs a TypeScript transform
// each, so `dsim run <name>` first imports only the files whose text mentions the name, and falls
// back to importing everything (for the unknown-name suggestion, or a computed name).

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SCENARIOS_DIR = join(REPO_ROOT, 'scenarios');

export interface Discovered {
  readonly name: string;
  /** Absolute path of the module. */
  readonly file: string;
  readonly scenario: Scenario;
}

/** A resolved `<scenario>` argument: the scenario, its module file and how to name it in commands. */
export interface ScenarioRef extends Discovered {
  /** What the user typed (a name or a path): reproduce commands repeat it. */
  readonly ref: string;
}

export function isScenario(x: unknown): x is Scenario {
  if (typeof x !== 'object' || x === null) return false;
  const s = x as Record<string, unknown>;
  return typeof s['name'] === 'string' && typeof s['description'] === 'string' && typeof s['build'] === 'function'
    && Array.isArray(s['systems']) && typeof s['schema'] === 'object' && s['schema'] !== null && s['expect'] !== undefined;
}

/** Candidate scenario modules: scenarios/<system>/**.ts, not under lib/, sorted for stable output. */
export function scenarioFiles(root = SCENARIOS_DIR): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number): void => {
    let entries: string[];
    try {
      entries = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e);
      let st;
      try {
        st = statSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        if (e === 'lib' || e === 'node_modules' || e.startsWith('.')) continue;
        walk(p, depth + 1);
      } else if (depth >= 1 && e.endsWith('.ts') && !e.endsWith('.d.ts') && !e.endsWith('.test.ts')) {
        out.push(p);
      }
    }
  };
  walk(root, 0);
  return out;
}

/**
 * Scenario files outside the checkout (`dsim run ./my-scenario.ts` in any folder): Node's module hooks
 * resolve `dsim` and `dsim/scenario` to this checkout's sim/index.ts, and load every .ts file outside
 * a package as an ES module (without a package.json saying "type": "module", Node would take it for
 * CommonJS and fail with "Cannot require() ES Module ... in a cycle").
 */
let hooksRegistered = false;
function registerOutsideHooks(): void {
  if (hooksRegistered) return;
  hooksRegistered = true;
  const index = pathToFileURL(join(REPO_ROOT, 'sim', 'index.ts')).href;
  const root = pathToFileURL(REPO_ROOT + sep).href;
  const hooks = `
    export async function resolve(specifier, context, next) {
      if (specifier === 'dsim' || specifier === 'dsim/scenario') return { url: ${JSON.stringify(index)}, format: 'module', shortCircuit: true };
      return next(specifier, context);
    }
    export async function load(url, context, next) {
      if (url.startsWith('file:') && /\\.m?ts$/.test(url) && !url.startsWith(${JSON.stringify(root)})) {
        return next(url, { ...context, format: 'module' });
      }
      return next(url, context);
    }`;
  register(`data:text/javascript,${encodeURIComponent(hooks)}`);
}

/** In the prebuilt command (scripts/build-cli.mjs): each scenario module's loader, by repository path. */
type Prebuilt = ReadonlyMap<string, () => Promise<{ default?: unknown }>>;

export async function importScenario(file: string): Promise<Scenario | null> {
  if (!file.startsWith(REPO_ROOT + sep)) registerOutsideHooks();
  const prebuilt = (globalThis as { __dsimPrebuilt?: Prebuilt }).__dsimPrebuilt;
  const load = prebuilt?.get(relative(REPO_ROOT, file).split(sep).join('/'));
  if (prebuilt !== undefined && load === undefined) {
    // A scenario the bundle does not hold (a file named in a results file, say) needs the TypeScript
    // loader: bin/dsim.mjs sees the flag and runs the command again from the sources.
    (globalThis as { __dsimNeedsSource?: string }).__dsimNeedsSource = file;
    throw new Error(`${file} is not in the prebuilt command`);
  }
  const mod = (load !== undefined ? await load() : await import(pathToFileURL(file).href)) as { default?: unknown };
  return isScenario(mod.default) ? mod.default : null;
}

export interface DiscoverResult {
  readonly scenarios: Discovered[];
  /** Modules that failed to import (someone's half-written file): reported, not fatal. */
  readonly broken: { file: string; error: string }[];
}

/** Imports every candidate module; duplicates keep the first by path and are reported as broken. */
export async function discoverAll(files = scenarioFiles()): Promise<DiscoverResult> {
  const scenarios: Discovered[] = [];
  const broken: { file: string; error: string }[] = [];
  const byName = new Map<string, string>();
  for (const file of files) {
    let s: Scenario | null;
    try {
      s = await importScenario(file);
    } catch (e) {
      broken.push({ file, error: firstLine(e) });
      continue;
    }
    if (s === null) continue;
    const prev = byName.get(s.name);
    if (prev !== undefined) {
      broken.push({ file, error: `scenario name '${s.name}' is already used by ${displayPath(prev)}` });
      continue;
    }
    byName.set(s.name, file);
    scenarios.push({ name: s.name, file, scenario: s });
  }
  scenarios.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { scenarios, broken };
}

function looksLikePath(arg: string): boolean {
  return arg.includes('/') || arg.includes(sep) || /\.(m?ts|m?js)$/.test(arg);
}

/** Resolves a `<scenario>` argument: a discovered name, or a path to a scenario module. */
export async function resolveScenario(arg: string): Promise<ScenarioRef> {
  if (looksLikePath(arg)) {
    const file = isAbsolute(arg) ? arg : resolve(process.cwd(), arg);
    if (!existsSync(file) || !statSync(file).isFile()) throw new UsageError(`no such scenario file: ${arg}`);
    let s: Scenario | null;
    try {
      s = await importScenario(file);
    } catch (e) {
      throw new UsageError(`cannot load scenario file ${arg}: ${loadErrorText(e)}`);
    }
    if (s === null) throw new UsageError(`${arg} does not default-export a scenario (use defineScenario)`);
    return { name: s.name, file, scenario: s, ref: arg };
  }
  const files = scenarioFiles();
  // Fast path: only the modules that mention the name.
  const quoted = [`'${arg}'`, `"${arg}"`, `\`${arg}\``];
  const likely = files.filter((f) => {
    try {
      const text = readFileSync(f, 'utf8');
      return quoted.some((q) => text.includes(q));
    } catch {
      return false;
    }
  });
  for (const file of likely) {
    try {
      const s = await importScenario(file);
      if (s !== null && s.name === arg) return { name: s.name, file, scenario: s, ref: arg };
    } catch {
      // Reported by the full discovery below if it matters.
    }
  }
  const all = await discoverAll(files);
  const hit = all.scenarios.find((d) => d.name === arg);
  if (hit !== undefined) return { ...hit, ref: arg };
  const best = closest(arg, all.scenarios.map((d) => d.name));
  const brokenNote = all.broken.length > 0 ? ` (${all.broken.length} scenario module${all.broken.length > 1 ? 's' : ''} failed to load; see 'dsim list')` : '';
  throw new UsageError(`unknown scenario '${arg}'${best !== null ? ` (did you mean '${best}'?)` : brokenNote}`);
}

/** The expectation under the scenario's default configuration. */
export function defaultExpectation(s: Scenario): Expectation {
  if (typeof s.expect !== 'function') return s.expect;
  return s.expect(resolveConfig(scenarioSchema(s), s.defaults ?? {}, {}));
}

export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') || isAbsolute(rel) ? file : rel;
}

export function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n')[0]!.trim();
}

/**
 * Why a module failed to load, in one line: a syntax error as file:line:col and the message (the
 * TypeScript transform's error carries them), else the error's first line.
 */
export function loadErrorText(e: unknown): string {
  const errors = (e as { errors?: { text?: string; location?: { file?: string; line?: number; column?: number } | null }[] }).errors;
  const first = Array.isArray(errors) ? errors[0] : undefined;
  if (first?.location?.file !== undefined && first.location.line !== undefined) {
    return `${displayPath(first.location.file)}:${first.location.line}:${(first.location.column ?? 0) + 1}: ${first.text ?? 'syntax error'}`;
  }
  const text = e instanceof Error ? e.message : String(e);
  const m = /^(.+?):(\d+):(\d+): ERROR: (.*)$/m.exec(text);
  if (m !== null) return `${displayPath(m[1]!)}:${m[2]}:${Number(m[3]) + 1}: ${m[4]}`;
  if (e instanceof SyntaxError) {
    const at = /(file:\/\/\S+|\/\S+\.m?[tj]s):(\d+)/.exec(e.stack ?? '');
    if (at !== null) return `${displayPath(at[1]!.replace(/^file:\/\//, ''))}:${at[2]}: ${firstLine(e)}`;
  }
  return `${e instanceof Error && e.name !== 'Error' ? `${e.name}: ` : ''}${firstLine(e)}`;
}
