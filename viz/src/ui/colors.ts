import { hueOf } from '../model/format.ts';
import { SYSTEM_VIZ } from '../systems/index.ts';

// One palette for every view, so a role or an event type has the same colour everywhere.

export type RoleKind = 'lead' | 'follow' | 'elect' | 'client' | 'other';

/** Role names every system may use; a system's own names are in its viewer module (viz/src/systems/). */
const COMMON_ROLE_KIND: { readonly [role: string]: RoleKind } = {
  leader: 'lead', active: 'lead', primary: 'lead',
  follower: 'follow', standby: 'follow', backup: 'follow', server: 'follow',
  candidate: 'elect', electing: 'elect',
  client: 'client', reader: 'client', pinger: 'client',
};

let roleKinds: Map<string, RoleKind> | null = null;

export function roleKind(role: string): RoleKind {
  if (roleKinds === null) {
    // Built on first use: the system modules import this file, so they are not ready when it loads.
    roleKinds = new Map(Object.entries(COMMON_ROLE_KIND));
    for (const s of SYSTEM_VIZ) for (const [r, k] of Object.entries(s.roles)) roleKinds.set(r, k);
  }
  return roleKinds.get(role.toLowerCase()) ?? 'other';
}

export const ROLE_COLOR: { readonly [k in RoleKind]: string } = {
  lead: '#f59e0b',
  follow: '#3b82f6',
  elect: '#8b5cf6',
  client: '#14b8a6',
  other: '#64748b',
};

export const ROLE_LABEL: { readonly [k in RoleKind]: string } = {
  lead: 'leader / controller',
  follow: 'follower / broker',
  elect: 'looking (electing)',
  client: 'client',
  other: 'other',
};

export const STATUS_COLOR = {
  down: '#d1d5db',
  downStroke: '#6b7280',
  cut: '#ef4444',
  paused: '#fbbf24',
  violation: '#dc2626',
} as const;

/** Event type colours (event log badges, space-time dots, timeline markers). */
export const TYPE_COLOR: { readonly [type: string]: string } = {
  send: '#2563eb', deliver: '#0891b2', drop: '#dc2626', dup: '#9333ea', timer: '#64748b', disk: '#78716c',
  start: '#16a34a', crash: '#b91c1c', pause: '#d97706', resume: '#65a30d', 'power-off': '#7f1d1d', 'power-on': '#15803d',
  partition: '#ea580c', heal: '#0d9488', fault: '#c2410c', state: '#475569', op: '#0f766e', obs: '#6d28d9',
  note: '#4f46e5', violation: '#dc2626', phase: '#334155', end: '#334155',
  restart: '#16a34a',
};

export function typeColor(type: string): string {
  return TYPE_COLOR[type] ?? '#475569';
}

/** A colour per message type, stable across runs. */
export function messageColor(type: string): string {
  return `hsl(${hueOf(type)}, 62%, 42%)`;
}

/** A colour per leader epoch (Kafka log lanes). */
export function epochColor(epoch: number, light = false): string {
  const hue = (epoch * 137.508 + 200) % 360;
  return light ? `hsl(${hue}, 70%, 88%)` : `hsl(${hue}, 55%, 50%)`;
}
