// Spawning real Onehour processes in tests, bounded in time.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface Spawned {
  child: ChildProcess;
  output(): string;
  /** resolves when a line matching `pattern` appears; rejects on exit or timeout */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  exited: Promise<number | null>;
}

export function spawnNode(args: string[], env: Record<string, string> = {}, opts: { stdin?: boolean } = {}): Spawned {
  // TypeScript entry points run through tsx; bin/onehour.js runs the compiled server bundle, as
  // an installed Onehour does (it falls back to tsx itself when the bundle cannot be built).
  const loader = args[0]?.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...loader, ...args], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    exited,
    // Generous: a process starting on a loaded 2-core machine (tsx compiling, PGlite booting) can take
    // tens of seconds; a test that is fine returns as soon as the line appears.
    waitFor(pattern, timeoutMs = 120_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${pattern} in:\n${out}`));
        }, timeoutMs);
        const check = () => {
          const m = pattern.exec(out);
          if (m) {
            cleanup();
            resolve(m[0]);
          }
        };
        const onExit = (code: number | null) => {
          check();
          cleanup();
          reject(new Error(`process exited (${code}) before ${pattern}:\n${out}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          child.stdout!.off('data', check);
          child.stderr!.off('data', check);
          child.off('exit', onExit);
        };
        child.stdout!.on('data', check);
        child.stderr!.on('data', check);
        child.once('exit', onExit);
        check();
      });
    },
  };
}

/** Runs a command of ours to its end (`input` goes to its standard input): its exit code and output. */
export async function runNode(args: string[], env: Record<string, string> = {}, input?: string): Promise<{ code: number | null; output: string }> {
  const p = spawnNode(args, { LOG_LEVEL: 'warn', ...env }, { stdin: input !== undefined });
  if (input !== undefined) p.child.stdin?.end(input);
  const code = await p.exited;
  return { code, output: p.output() };
}
