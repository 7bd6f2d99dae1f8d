// Command line of monai-ts-run: torchrun's options (static rendezvous only), then the script and its arguments.
// Option names take '-' or '_' (torchrun accepts both) and '--name value' or '--name=value'.

export interface LaunchOptions {
  /** Ranks started on this node: a count, or 'auto' / 'gpu' / 'cpu' resolved by resolveNprocPerNode. */
  nprocPerNode: number | 'auto' | 'gpu' | 'cpu';
  nnodes: number;
  nodeRank: number;
  masterAddr: string;
  masterPort: number;
  /** TORCHELASTIC_RUN_ID of the ranks (torchrun's --rdzv-id). */
  runId: string;
  /** Run the command itself instead of `node <script>` (torchrun's --no-python). */
  noPython: boolean;
  /** Also set by --standalone: pick a free local port. */
  standalone: boolean;
  script: string;
  scriptArgs: string[];
}

export class LaunchArgsError extends Error {
  override name = 'LaunchArgsError';
}

interface Spec {
  value: boolean;
  apply(o: LaunchOptions, v: string, flag: string): void;
}

const SPECS: Record<string, Spec> = {
  'nproc-per-node': { value: true, apply: (o, v, f) => (o.nprocPerNode = v === 'auto' || v === 'gpu' || v === 'cpu' ? v : positive(v, f, "a positive integer, 'auto', 'gpu' or 'cpu'")) },
  nnodes: { value: true, apply: (o, v, f) => (o.nnodes = nnodes(v, f)) },
  'node-rank': { value: true, apply: (o, v, f) => (o.nodeRank = nonNegative(v, f)) },
  'master-addr': { value: true, apply: (o, v, f) => (o.masterAddr = nonEmpty(v, f)) },
  'master-port': { value: true, apply: (o, v, f) => (o.masterPort = port(v, f)) },
  'rdzv-endpoint': { value: true, apply: (o, v, f) => endpoint(o, v, f) },
  'rdzv-backend': {
    value: true,
    apply: (_o, v, f) => {
      if (v !== 'static') throw new LaunchArgsError(`${f}: only the 'static' rendezvous is supported (every node given --nnodes N and its --node-rank), found '${v}'`);
    },
  },
  'rdzv-id': { value: true, apply: (o, v, f) => (o.runId = nonEmpty(v, f)) },
  'max-restarts': {
    value: true,
    apply: (_o, v, f) => {
      if (nonNegative(v, f) !== 0) throw new LaunchArgsError(`${f}: restarts are not supported (a failed rank stops the job), expected 0, found ${v}`);
    },
  },
  standalone: { value: false, apply: (o) => (o.standalone = true) },
  'no-python': { value: false, apply: (o) => (o.noPython = true) },
};

export const USAGE = `usage: monai-ts-run [options] <script.js|.mjs|.ts> [script args...]
       monai-ts-run [options] --no-python <command> [args...]

Starts --nproc-per-node ranks of the script on this node with torchrun's environment
(RANK, LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE, GROUP_RANK, ROLE_RANK, MASTER_ADDR, MASTER_PORT, ...).
Each output line is prefixed with "[rank N]:". If a rank fails, the others are stopped and the
launcher exits with the failed rank's code (128+n for a signal).

options:
  --nproc-per-node N|auto|gpu|cpu   ranks on this node (default 1; auto: GPUs if any, else CPU cores)
  --nnodes N                        nodes in the job (default 1; MIN:MAX only when MIN equals MAX)
  --node-rank R                     this node's index, 0..nnodes-1 (default 0)
  --master-addr HOST                address of the node running rank 0 (default 127.0.0.1)
  --master-port PORT                its port (default 29500)
  --rdzv-endpoint HOST:PORT         same as --master-addr and --master-port
  --rdzv-backend static             the only rendezvous supported
  --rdzv-id ID                      job id, set as TORCHELASTIC_RUN_ID (default 'none')
  --max-restarts 0                  restarts are not supported
  --standalone                      one node on 127.0.0.1 with a free port
  --no-python                       run the command as given instead of node <script>
  -h, --help                        this text`;

/** Parses argv (without node and the launcher's path). Returns null for --help. */
export function parseLaunchArgs(argv: readonly string[]): LaunchOptions | null {
  const o: LaunchOptions = { nprocPerNode: 1, nnodes: 1, nodeRank: 0, masterAddr: '127.0.0.1', masterPort: 29500, runId: 'none', noPython: false, standalone: false, script: '', scriptArgs: [] };
  const seen = new Set<string>();
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      i++;
      break;
    }
    if (arg === '-h' || arg === '--help') return null;
    if (!arg.startsWith('-')) break; // the script: everything from here on is the script's
    const eq = arg.indexOf('=');
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    const key = flag.replace(/^--?/, '').replace(/_/g, '-');
    const spec = SPECS[key];
    if (!spec) throw new LaunchArgsError(`unknown option ${flag}${suggest(key)}; see monai-ts-run --help`);
    if (seen.has(key)) throw new LaunchArgsError(`${flag} is given twice`);
    seen.add(key);
    let value = '';
    if (spec.value) {
      if (eq >= 0) value = arg.slice(eq + 1);
      else if (i + 1 < argv.length) value = argv[++i];
      else throw new LaunchArgsError(`${flag} needs a value`);
    } else if (eq >= 0) throw new LaunchArgsError(`${flag} takes no value, found '${arg.slice(eq + 1)}'`);
    spec.apply(o, value, flag);
  }
  if (i >= argv.length) throw new LaunchArgsError('no script given; see monai-ts-run --help');
  o.script = argv[i];
  o.scriptArgs = argv.slice(i + 1);

  if (o.standalone) {
    if (seen.has('nnodes') && o.nnodes !== 1) throw new LaunchArgsError(`--standalone runs one node, but --nnodes is ${o.nnodes}`);
    for (const k of ['master-addr', 'master-port', 'rdzv-endpoint', 'node-rank']) {
      if (seen.has(k)) throw new LaunchArgsError(`--standalone picks the master itself; drop --${k}`);
    }
  }
  if (seen.has('rdzv-endpoint') && (seen.has('master-addr') || seen.has('master-port'))) {
    throw new LaunchArgsError('--rdzv-endpoint and --master-addr/--master-port both name the master; give one of them');
  }
  if (o.nodeRank >= o.nnodes) throw new LaunchArgsError(`--node-rank must be below --nnodes (${o.nnodes}), found ${o.nodeRank}`);
  return o;
}

function positive(v: string, flag: string, expected = 'a positive integer'): number {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new LaunchArgsError(`${flag} must be ${expected}, found '${v}'`);
  return Number(v);
}

function nonNegative(v: string, flag: string): number {
  if (!/^\d+$/.test(v)) throw new LaunchArgsError(`${flag} must be a non-negative integer, found '${v}'`);
  return Number(v);
}

function nonEmpty(v: string, flag: string): string {
  if (v.trim() === '') throw new LaunchArgsError(`${flag} must not be empty`);
  return v.trim();
}

function port(v: string, flag: string): number {
  const p = nonNegative(v, flag);
  if (p < 1 || p > 65535) throw new LaunchArgsError(`${flag} must be a TCP port in 1..65535, found ${v}`);
  return p;
}

// Elastic ranges need a dynamic rendezvous (c10d/etcd), which this launcher does not have.
function nnodes(v: string, flag: string): number {
  const range = /^(\d+):(\d+)$/.exec(v);
  if (range) {
    if (range[1] !== range[2]) throw new LaunchArgsError(`${flag} ${v}: elastic node ranges need a dynamic rendezvous, which is not supported; give a fixed count (e.g. --nnodes ${range[2]})`);
    return positive(range[1], flag);
  }
  return positive(v, flag, 'a positive integer (or MIN:MAX with MIN equal to MAX)');
}

function endpoint(o: LaunchOptions, v: string, flag: string): void {
  // host:port, [v6addr]:port, or a bare host (torchrun's default port then)
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(v) ?? /^([^:]+)(?::(\d+))?$/.exec(v);
  if (!m || m[1].trim() === '') throw new LaunchArgsError(`${flag} must be HOST:PORT, found '${v}'`);
  o.masterAddr = m[1];
  if (m[2] !== undefined) o.masterPort = port(m[2], flag);
}

function suggest(key: string): string {
  let best = '';
  let bestD = 3;
  for (const k of Object.keys(SPECS)) {
    const d = editDistance(k, key);
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best ? ` (did you mean --${best}?)` : '';
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}
