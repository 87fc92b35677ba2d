import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { FAULT_REGISTRY } from '../../sim/harness/fault-registry.ts';
import { defineFaultKind, type FaultKindDef, type FaultRegistry } from '../../sim/harness/fault-kind.ts';

// "Adding a fault kind fails to compile until every part is written." vitest does not type-check,
// so this test runs the TypeScript compiler on a fixture (fixtures/incomplete-fault-kinds.ts.txt)
// in which each definition leaves out one part, and asserts the compiler's exact errors (the same
// ones docs/faults.md shows). The @ts-expect-error lines below say the same to `npm run typecheck`.

const FIXTURE = join(import.meta.dirname, 'fixtures', 'incomplete-fault-kinds.ts.txt');

/** The fixture's type errors as `line: message` (first line of each message), compiled as a .ts file. */
function compileFixture(): string[] {
  const file = FIXTURE.replace(/\.ts\.txt$/, '.ts');
  const options: ts.CompilerOptions = {
    strict: true, noEmit: true, skipLibCheck: true, allowImportingTsExtensions: true,
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler,
    // Only what the fixture needs: no DOM or node typings to load.
    lib: ['lib.es2022.d.ts'], types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.getSourceFile = (name, lang, ...rest) => (name === file ? ts.createSourceFile(name, readFileSync(FIXTURE, 'utf8'), lang) : getSourceFile(name, lang, ...rest));
  host.fileExists = (name) => name === file || fileExists(name);
  const program = ts.createProgram({ rootNames: [file], options, host });
  const sf = program.getSourceFile(file)!;
  return program.getSemanticDiagnostics(sf).map((d) => {
    const line = sf.getLineAndCharacterOfPosition(d.start!).line + 1;
    return `${line}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

describe('the fault registry type demands every part of every kind', () => {
  it('a missing kind, a missing undo, a missing generator and missing shrink steps are each a compile error', () => {
    const errors = compileFixture();
    expect(errors).toHaveLength(4);
    expect(errors[0]).toMatch(/^9: Property 'clock' is missing in type '\{ crash: FaultKindDef<"crash", unknown>; .*\}' but required in type 'FaultRegistry'\.$/);
    expect(errors[1]).toMatch(/^13: Property 'undo' is missing in type '\{ usage: string; .*\}' but required in type 'FaultKindDef<"crash", unknown>'\.$/);
    expect(errors[2]).toBe(`16: Property 'bridge' is missing in type '{ partition: RandomGen<"partition">; }' but required in type '{ readonly partition: RandomGen<"partition">; readonly bridge: RandomGen<"partition">; }'.`);
    expect(errors[3]).toMatch(/^19: Argument of type '\{ usage: string; .*\}' is not assignable to parameter of type 'FaultKindDef<"heal", undefined>'\.\n {2}Property 'shrink' is missing in type '\{ usage: string; .*\}' but required in type 'FaultKindDef<"heal", undefined>'\.$/);
  }, 60_000);

  it('the complete registry compiles, and the same omissions fail `npm run typecheck`', () => {
    const { clock: _clock, ...withoutClock } = FAULT_REGISTRY;
    // @ts-expect-error -- a registry without the clock kind
    const registry: FaultRegistry = withoutClock;
    const { undo: _undo, ...crashWithoutUndo } = FAULT_REGISTRY.crash;
    // @ts-expect-error -- a kind without its undo
    const crash: FaultKindDef<'crash'> = crashWithoutUndo;
    // @ts-expect-error -- the partition kind is generated as 'partition' and 'bridge': both are needed
    const partition: FaultKindDef<'partition'> = { ...FAULT_REGISTRY.partition, random: { partition: FAULT_REGISTRY.partition.random.partition } };
    const heal = defineFaultKind<'heal'>(
      // @ts-expect-error -- no shrink steps
      {
        usage: 'heal', duration: 'none', parse: () => ({ kind: 'heal' }), format: () => 'heal', names: () => [], rename: (a) => a,
        validate: () => undefined, apply: () => undefined, undo: null, random: {},
      },
    );
    const complete: FaultRegistry = FAULT_REGISTRY;
    expect([registry, crash, partition, heal].every((x) => x !== undefined)).toBe(true);
    expect(Object.keys(complete)).toHaveLength(15);
  });
});
