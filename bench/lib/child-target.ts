import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface ChildTarget {
  url: string;
  port: number;
  pid: number;
  close(): Promise<void>;
}

const SERVER_SCRIPT = path.join(__dirname, 'target-server.ts');
const READY_TIMEOUT_MS = 15_000;

/** Starts bench/lib/target-server.ts in its own process and resolves when it listens. */
export function startChildTarget(mode: 'plain' | 'stall' | 'ws', args: string[] = []): Promise<ChildTarget> {
  const child = spawn(process.execPath, ['--require', 'ts-node/register/transpile-only', SERVER_SCRIPT, mode, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bench target (${mode}) did not listen within ${READY_TIMEOUT_MS} ms`));
    }, READY_TIMEOUT_MS);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening (\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        const port = Number(match[1]);
        resolve({ url: `http://127.0.0.1:${port}`, port, pid: child.pid ?? -1, close: () => stopChild(child) });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bench target (${mode}) exited with code ${code} before listening`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
