// zxid arithmetic (ZxidUtils.java): a zxid is a 64-bit number whose high 32 bits are the epoch of
// the leader that proposed the txn and whose low 32 bits count txns within that epoch. A new leader
// of epoch e starts at makeZxid(e, 0) and proposes (e, 1), (e, 2), ...
//
// JavaScript numbers hold integers exactly up to 2^53, so a zxid is a plain number here as long as
// the epoch stays below 2^21 (two million elections), which the invariant below asserts.

import { invariant } from '../core/invariant.ts';

export type Zxid = number;

const COUNTER_SPAN = 0x1_0000_0000; // 2^32
export const EPOCH_MAX = 0x1f_ffff; // 2^21 - 1: keeps epoch * 2^32 + counter below 2^53

export function makeZxid(epoch: number, counter: number): Zxid {
  invariant(epoch >= 0 && epoch <= EPOCH_MAX && Number.isInteger(epoch), () => `zxid epoch out of range: ${epoch}`);
  invariant(counter >= 0 && counter < COUNTER_SPAN && Number.isInteger(counter), () => `zxid counter out of range: ${counter}`);
  return epoch * COUNTER_SPAN + counter;
}

export function epochOf(zxid: Zxid): number {
  return Math.floor(zxid / COUNTER_SPAN);
}

export function counterOf(zxid: Zxid): number {
  return zxid % COUNTER_SPAN;
}

/** `0x<epoch hex><counter as 8 hex digits>`, as ZooKeeper logs print it (docs/inspect-views.md). */
export function formatZxid(zxid: Zxid): string {
  const epoch = epochOf(zxid);
  const counter = counterOf(zxid).toString(16).padStart(8, '0');
  return epoch === 0 ? `0x${counterOf(zxid).toString(16)}` : `0x${epoch.toString(16)}${counter}`;
}

/** Parses the hex form used in file names (log.100000001) and views. */
export function parseZxid(text: string): Zxid {
  const t = text.startsWith('0x') ? text.slice(2) : text;
  invariant(/^[0-9a-f]+$/i.test(t), () => `not a hex zxid: '${text}'`);
  if (t.length <= 8) return parseInt(t, 16);
  return makeZxid(parseInt(t.slice(0, t.length - 8), 16), parseInt(t.slice(-8), 16));
}

/** Hex without the 0x prefix, as in file names: log.<zxid>, snapshot.<zxid>. */
export function zxidFileSuffix(zxid: Zxid): string {
  return formatZxid(zxid).slice(2);
}
