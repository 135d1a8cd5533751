import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { MetricsEndpointSource, ProcResourceSource, UnavailableSource, type ResourceSource } from './resources';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
const LISTEN_STATE = '0A';

/** Socket inodes listening on `port`, from the text of /proc/net/tcp or /proc/net/tcp6. */
export function listeningInodes(procNetTcp: string, port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return procNetTcp
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length > 9 && fields[1].endsWith(`:${hexPort}`) && fields[3] === LISTEN_STATE)
    .map((fields) => fields[9]);
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/**
 * The pid of the local process listening on `port` (through /proc/net/tcp and each process's
 * open file descriptors), or undefined when none is visible to us.
 */
export function findListeningPid(port: number): number | undefined {
  const inodes = new Set([...listeningInodes(readOrEmpty('/proc/net/tcp'), port), ...listeningInodes(readOrEmpty('/proc/net/tcp6'), port)]);
  if (inodes.size === 0) return undefined;
  const wanted = new Set([...inodes].map((inode) => `socket:[${inode}]`));
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (wanted.has(readlinkSync(`/proc/${entry}/fd/${fd}`))) return Number(entry);
      } catch {
        // the descriptor closed while we looked
      }
    }
  }
  return undefined;
}

/**
 * Where the resources of the target at `baseUrl` can be read: /proc for a process on this
 * machine, else its metrics endpoint when it answers, else nowhere (reported as unavailable).
 */
export async function resourceSourceFor(baseUrl: string, metricsPath: string, headers: Record<string, string>): Promise<ResourceSource> {
  const url = new URL(baseUrl);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  if (LOOPBACK.has(url.hostname) && process.platform === 'linux') {
    const pid = findListeningPid(port);
    if (pid !== undefined) return new ProcResourceSource(pid);
  }
  const endpoint = new MetricsEndpointSource(new URL(metricsPath, url).toString(), headers);
  if ((await endpoint.sample()) !== null) return endpoint;
  return new UnavailableSource(`${url.host}: not a local process and no metrics endpoint at ${metricsPath}`);
}
