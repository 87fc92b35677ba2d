import type { World } from '../world/world.ts';

// The story of a run: a timeline of what mattered, in plain words and the systems' own terms. The
// fault scheduler notes each fault as it applies, with its named targets resolved ("crash broker-1,
// the leader of events-0"); each System may tell its part (elections and who won, ISR shrinks and
// expands, session expiries, how long each partition had no leader); the harness adds the heal and
// the first violation of each checker. Narrators only listen (observations, process starts and
// crashes): the run, its events and its trace hash are the same with or without a story.

export interface StoryEntry {
  readonly atUs: number;
  readonly text: string;
  /**
   * Entries of one group within 50 ms merge into one line: `group` once, then the
   * `text`s joined ("ISR shrinks (broker-1 left): events-0 [2,3], events-3 [3,2]").
   */
  readonly group?: string;
}

/** A system's part of the story, listening from the end of build to the end of the run. */
export interface Narrator {
  /** Its entries, told at the end of the run (endUs: the run's last moment). */
  tell(endUs: number): StoryEntry[];
}

const notes = new WeakMap<World, StoryEntry[]>();

/** Notes an entry for this world's story (the fault scheduler's faults, the heal). Cheap: a push. */
export function noteStory(world: World, text: string, group?: string): void {
  let list = notes.get(world);
  if (list === undefined) notes.set(world, (list = []));
  list.push(group === undefined ? { atUs: world.nowUs, text } : { atUs: world.nowUs, text, group });
}

export function storyNotes(world: World): readonly StoryEntry[] {
  return notes.get(world) ?? [];
}

/** Entries of one group this close to the group's first entry merge into its line. */
const GROUP_WINDOW_US = 50_000;

/** Sorts by time (stable: a system's own order within a moment) and merges each group's entries within 50 ms. */
export function mergeStory(entries: readonly StoryEntry[]): StoryEntry[] {
  const sorted = entries.map((e, i) => ({ e, i })).sort((a, b) => a.e.atUs - b.e.atUs || a.i - b.i).map((x) => x.e);
  const out: StoryEntry[] = [];
  const open = new Map<string, { index: number; items: string[]; startUs: number }>();
  for (const e of sorted) {
    if (e.group === undefined) {
      out.push(e);
      continue;
    }
    const g = open.get(e.group);
    if (g === undefined || e.atUs - g.startUs > GROUP_WINDOW_US) {
      open.set(e.group, { index: out.length, items: [e.text], startUs: e.atUs });
      out.push({ atUs: e.atUs, text: `${e.group}: ${e.text}` });
    } else {
      g.items.push(e.text);
      out[g.index] = { atUs: out[g.index]!.atUs, text: `${e.group}: ${g.items.join(', ')}` };
    }
  }
  return out;
}

/** "18.4 s", "850 ms". */
export function storyDuration(us: number): string {
  const ms = us / 1000;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}
