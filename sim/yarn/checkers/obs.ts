import type { Json } from '../../core/types.ts';

// Typed readers of the YARN observations (ctx.observe kinds yarn-container, yarn-node,
// yarn-attempt, yarn-app, yarn-nm-container) for the checkers.

type Obj = { readonly [k: string]: Json };

export function obj(d: Json): Obj {
  return typeof d === 'object' && d !== null && !Array.isArray(d) ? (d as Obj) : {};
}

export function str(o: Obj, k: string): string {
  const v = o[k];
  return typeof v === 'string' ? v : '';
}

export function num(o: Obj, k: string): number {
  const v = o[k];
  return typeof v === 'number' ? v : NaN;
}

export const FINAL_CONTAINER = new Set(['COMPLETED', 'RELEASED', 'KILLED', 'EXPIRED']);
export const FINAL_ATTEMPT = new Set(['FINISHED', 'FAILED', 'KILLED']);
export const FINAL_APP = new Set(['FINISHED', 'FAILED', 'KILLED']);
