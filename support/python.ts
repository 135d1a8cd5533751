/**
 * A real Python for the generated MLE-Star projects: which interpreter has the packages a run needs
 * (asked without importing them: torch alone takes seconds to import), the Debian packages that
 * bring what is missing, and running a program with a time limit.
 */
import { spawn, spawnSync } from 'node:child_process';
import { constants } from 'node:os';

/** Debian's package for each Python module the executed projects and notebooks import. */
export const DEBIAN_PACKAGES: Readonly<Record<string, string>> = {
  numpy: 'python3-numpy',
  pandas: 'python3-pandas',
  yaml: 'python3-yaml',
  joblib: 'python3-joblib',
  sklearn: 'python3-sklearn',
  torch: 'python3-torch',
  matplotlib: 'python3-matplotlib',
  nbformat: 'python3-nbformat',
  nbclient: 'python3-nbclient',
  ipykernel: 'python3-ipykernel',
};

/** Modules with no Debian package, and how to get them where a package index is reachable. */
const NOT_PACKAGED: Readonly<Record<string, string>> = { tensorflow: 'pip install tensorflow (TensorFlow has no Debian package)' };

export type PythonChoice = { command: string } | { missing: string; install: string };

const probes = new Map<string, string[] | undefined>();

/**
 * The first interpreter that has every module: `configured` (NOVACRON_PYTHON) alone when given,
 * else python3 on PATH, then /usr/bin/python3. Throws when `configured` is not a Python at all.
 */
export function pythonWith(modules: readonly string[], configured: string | undefined): PythonChoice {
  const candidates = configured ? [configured] : ['python3', '/usr/bin/python3'];
  const tried: string[] = [];
  const absentEverywhere = new Set<string>(modules);
  for (const command of candidates) {
    const absent = absentModules(command, modules);
    if (absent === undefined) {
      if (configured) throw new Error(`NOVACRON_PYTHON="${configured}" is not valid: expected a Python 3 interpreter (a path, or a command on PATH) that runs`);
      tried.push(`${command}: not found`);
      continue;
    }
    if (absent.length === 0) return { command };
    for (const module of modules) if (!absent.includes(module)) absentEverywhere.delete(module);
    tried.push(`${command} lacks ${absent.join(', ')}`);
  }
  return { missing: tried.join('; '), install: installCommand([...absentEverywhere]) };
}

/** The one-line command that installs the modules (apt-get for Debian's, the rest named apart). */
export function installCommand(modules: readonly string[]): string {
  const packaged = modules.filter((module) => DEBIAN_PACKAGES[module]).map((module) => DEBIAN_PACKAGES[module]);
  const other = modules.filter((module) => !DEBIAN_PACKAGES[module]).map((module) => NOT_PACKAGED[module] ?? `pip install ${module}`);
  return [packaged.length > 0 ? `apt-get install -y --no-install-recommends ${packaged.join(' ')}` : '', ...other].filter(Boolean).join('; and ');
}

/** The modules `command` cannot find, or undefined when `command` does not run as a Python 3. */
function absentModules(command: string, modules: readonly string[]): string[] | undefined {
  const key = `${command}\0${modules.join(',')}`;
  if (!probes.has(key)) {
    const script = 'import importlib.util, json, sys\nprint(json.dumps([m for m in sys.argv[1:] if importlib.util.find_spec(m) is None]))';
    const probe = spawnSync(command, ['-c', script, ...modules], { encoding: 'utf8', timeout: 20_000 });
    let absent: string[] | undefined;
    if (!probe.error && probe.status === 0) {
      try {
        absent = JSON.parse(probe.stdout.trim()) as string[];
      } catch {
        absent = undefined;
      }
    }
    probes.set(key, absent);
  }
  return probes.get(key);
}

export interface PythonRun {
  /** The exit status (128 + the signal's number when a signal ended it); null when stopped at the time limit. */
  status: number | null;
  /** stdout and stderr as they came, the last 64 KiB. */
  output: string;
  seconds: number;
}

const OUTPUT_KEPT = 64 * 1024;

/** Runs `python args` in `cwd`, stopped (status null) after `limitMs`. */
export function runPython(command: string, args: string[], cwd: string, limitMs: number): Promise<PythonRun> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: {
        ...process.env,
        PYTHONDONTWRITEBYTECODE: '1',
        PYTHONHASHSEED: '0',
        // One thread per program: the suite's parallel workers already use every core.
        OMP_NUM_THREADS: '1',
        // The kernel's debugger otherwise warns about frozen modules on every start.
        PYDEVD_DISABLE_FILE_VALIDATION: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // A group of its own, so the time limit stops what it started too (the notebooks' kernels).
      detached: true,
    });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-OUTPUT_KEPT);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let stopped = false;
    const timer = setTimeout(() => {
      stopped = true;
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, Math.max(1, limitMs));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${command} could not be started: ${error.message}`));
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status: stopped ? null : (status ?? 128 + (signal ? constants.signals[signal] : 0)), output, seconds: (performance.now() - started) / 1000 });
    });
  });
}

/** The last lines of a program's output, for an error message. */
export function tail(output: string, count = 25): string {
  return output.trimEnd().split('\n').slice(-count).join('\n');
}
