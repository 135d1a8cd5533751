import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

// Parsers of the Linux /proc files the resource monitor reads (proc(5)).

export interface ProcStat {
  /** user-mode CPU time, clock ticks */
  utime: number;
  /** kernel-mode CPU time, clock ticks */
  stime: number;
  /** resident set size, pages */
  rssPages: number;
}

export interface ProcStatus {
  vmRssKb: number;
  /** peak resident set size over the process's life ("high water mark") */
  vmHwmKb: number;
}

/** Parses /proc/<pid>/stat; the command name (field 2) may hold spaces and parentheses. */
export function parseProcStat(text: string): ProcStat {
  const end = text.lastIndexOf(')');
  if (end < 0) throw new Error(`/proc stat: got "${text.slice(0, 60)}", expected "pid (comm) state ..."`);
  const fields = text.slice(end + 2).trim().split(/\s+/); // fields[0] is field 3 (state)
  const field = (position: number): number => {
    const value = Number(fields[position - 3]);
    if (!Number.isFinite(value)) throw new Error(`/proc stat field ${position}: got "${fields[position - 3]}", expected a number`);
    return value;
  };
  return { utime: field(14), stime: field(15), rssPages: field(24) };
}

function kilobytes(text: string, key: string): number {
  const match = new RegExp(`^${key}:\\s+(\\d+)\\s+kB`, 'm').exec(text);
  if (!match) throw new Error(`/proc status: no "${key}" line, expected "${key}: <n> kB"`);
  return Number(match[1]);
}

export function parseProcStatus(text: string): ProcStatus {
  return { vmRssKb: kilobytes(text, 'VmRSS'), vmHwmKb: kilobytes(text, 'VmHWM') };
}

export function parseMemTotalKb(meminfo: string): number {
  return kilobytes(meminfo, 'MemTotal');
}

let clockTicks: number | undefined;

/** Kernel clock ticks per second (USER_HZ, almost always 100). */
function clockTicksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

export interface ProcessSample {
  cpuSeconds: number;
  rssBytes: number;
  peakRssBytes: number;
  /** the machine the process runs on, when the source knows it */
  host?: { cores: number; memoryBytes: number };
}

/** Reads one sample of a local process, or throws when it has gone. */
export function readProcessSample(pid: number): ProcessSample {
  const stat = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  const status = parseProcStatus(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return {
    cpuSeconds: (stat.utime + stat.stime) / clockTicksPerSecond(),
    rssBytes: status.vmRssKb * 1024,
    peakRssBytes: status.vmHwmKb * 1024,
  };
}

export function hostMemoryBytes(): number {
  return parseMemTotalKb(readFileSync('/proc/meminfo', 'utf8')) * 1024;
}
