// A seeded random source so the demo business is the same on every machine.
import type { UserView } from '../modules/team/index.js';

export interface Random {
  /** in [0, 1) */
  next(): number;
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

export interface DemoContext {
  owner: UserView;
  /** the moment the demo is loaded; history runs back 12 months from here */
  now: Date;
  random: Random;
  /** what one seed leaves for the next (ids of demo products, contacts …) */
  shared: Record<string, unknown>;
}

export function createRandom(seed: number): Random {
  // mulberry32: tiny, fast, good enough for demo data
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)]!,
    chance: (p) => next() < p,
  };
}

export const DAY_MS = 86_400_000;
