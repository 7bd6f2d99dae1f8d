// Reads where this process sits in a distributed job from the environment its launcher left behind.
//
// Sources, first match wins:
//   1. torchrun / monai-ts-run (or hand-set): RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE,
//      MASTER_ADDR, MASTER_PORT. Detected when RANK or WORLD_SIZE is set. A launcher started inside a
//      SLURM or MPI job sets these for its children, so they must win over the outer job's variables.
//   2. Open MPI (mpirun): OMPI_COMM_WORLD_RANK, _SIZE, _LOCAL_RANK, _LOCAL_SIZE. Checked before SLURM
//      because mpirun inside a SLURM allocation inherits the batch step's SLURM_PROCID (0 for everyone).
//   3. SLURM (srun): SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID, SLURM_NTASKS_PER_NODE (or the per-node
//      counts of SLURM_TASKS_PER_NODE, picked by SLURM_NODEID).
// MASTER_ADDR / MASTER_PORT, when set, override what is derived for MPI and SLURM.
// No source present: null (a single-process run).

export type DistributedEnvSource = 'torchrun' | 'slurm' | 'mpi';

export interface DistributedEnv {
  rank: number;
  worldSize: number;
  localRank: number;
  localWorldSize: number;
  masterAddr: string;
  masterPort: number;
  source: DistributedEnvSource;
}

type Env = Record<string, string | undefined>;

/** torchrun's default rendezvous port. */
export const DEFAULT_MASTER_PORT = 29500;

export function distributedEnv(env: Env = process.env): DistributedEnv | null {
  if (isSet(env, 'RANK') || isSet(env, 'WORLD_SIZE')) return fromTorchrun(env);
  if (isSet(env, 'OMPI_COMM_WORLD_RANK') || isSet(env, 'OMPI_COMM_WORLD_SIZE')) return fromMpi(env);
  if (isSet(env, 'SLURM_PROCID')) return fromSlurm(env);
  return null;
}

function fromTorchrun(env: Env): DistributedEnv {
  const src = 'torchrun';
  const worldSize = count(env, 'WORLD_SIZE', src);
  const rank = index(env, 'RANK', worldSize, 'WORLD_SIZE', src);
  // Hand-set RANK/WORLD_SIZE without the local pair: one node, as PyTorch's own env:// assumes nothing else.
  const localWorldSize = isSet(env, 'LOCAL_WORLD_SIZE') ? count(env, 'LOCAL_WORLD_SIZE', src) : worldSize;
  const localRank = isSet(env, 'LOCAL_RANK') ? index(env, 'LOCAL_RANK', localWorldSize, 'LOCAL_WORLD_SIZE', src) : rank % localWorldSize;
  if (!isSet(env, 'MASTER_ADDR')) throw missing('MASTER_ADDR', src, 'the host name or address of rank 0');
  if (!isSet(env, 'MASTER_PORT')) throw missing('MASTER_PORT', src, 'the TCP port rank 0 listens on');
  return check({ rank, worldSize, localRank, localWorldSize, masterAddr: env.MASTER_ADDR!.trim(), masterPort: port(env, 'MASTER_PORT', src), source: src });
}

function fromMpi(env: Env): DistributedEnv {
  const src = 'mpi';
  const worldSize = count(env, 'OMPI_COMM_WORLD_SIZE', src);
  const rank = index(env, 'OMPI_COMM_WORLD_RANK', worldSize, 'OMPI_COMM_WORLD_SIZE', src);
  const localWorldSize = count(env, 'OMPI_COMM_WORLD_LOCAL_SIZE', src);
  const localRank = index(env, 'OMPI_COMM_WORLD_LOCAL_RANK', localWorldSize, 'OMPI_COMM_WORLD_LOCAL_SIZE', src);
  let masterAddr: string;
  if (isSet(env, 'MASTER_ADDR')) masterAddr = env.MASTER_ADDR!.trim();
  else if (localWorldSize === worldSize) masterAddr = '127.0.0.1'; // every rank on this node
  else throw missing('MASTER_ADDR', src, `the address of rank 0's node: Open MPI does not publish it and this job spans ${Math.ceil(worldSize / localWorldSize)}+ nodes (pass it with mpirun -x MASTER_ADDR=<host>)`);
  const masterPort = isSet(env, 'MASTER_PORT') ? port(env, 'MASTER_PORT', src) : DEFAULT_MASTER_PORT;
  return check({ rank, worldSize, localRank, localWorldSize, masterAddr, masterPort, source: src });
}

function fromSlurm(env: Env): DistributedEnv {
  const src = 'slurm';
  const worldSize = count(env, 'SLURM_NTASKS', src);
  const rank = index(env, 'SLURM_PROCID', worldSize, 'SLURM_NTASKS', src);
  const localWorldSize = slurmLocalWorldSize(env);
  const localRank = index(env, 'SLURM_LOCALID', localWorldSize, 'tasks on this node', src);
  return check({ rank, worldSize, localRank, localWorldSize, masterAddr: slurmMasterAddr(env), masterPort: slurmMasterPort(env), source: src });
}

// SLURM_NTASKS_PER_NODE exists only with --ntasks-per-node; SLURM_TASKS_PER_NODE ("2(x3),1") always does.
function slurmLocalWorldSize(env: Env): number {
  if (isSet(env, 'SLURM_NTASKS_PER_NODE')) return count(env, 'SLURM_NTASKS_PER_NODE', 'slurm');
  if (isSet(env, 'SLURM_TASKS_PER_NODE')) {
    const perNode = expandTasksPerNode(env.SLURM_TASKS_PER_NODE!);
    const node = isSet(env, 'SLURM_NODEID') ? index(env, 'SLURM_NODEID', perNode.length, 'nodes in SLURM_TASKS_PER_NODE', 'slurm') : 0;
    return perNode[node];
  }
  if (isSet(env, 'SLURM_NNODES') && count(env, 'SLURM_NNODES', 'slurm') === 1) return count(env, 'SLURM_NTASKS', 'slurm');
  throw missing('SLURM_NTASKS_PER_NODE', 'slurm', 'the number of tasks per node (neither it nor SLURM_TASKS_PER_NODE is set)');
}

// Rank 0 runs on the first node of the step (SLURM's block distribution), so that host is the master.
// SLURM_LAUNCH_NODE_IPADDR is only a fallback: for an interactive srun it is the login node, where no rank runs.
function slurmMasterAddr(env: Env): string {
  if (isSet(env, 'MASTER_ADDR')) return env.MASTER_ADDR!.trim();
  for (const name of ['SLURM_STEP_NODELIST', 'SLURM_JOB_NODELIST', 'SLURM_NODELIST']) {
    if (isSet(env, name)) {
      const hosts = expandHostlist(env[name]!, name);
      return hosts[0];
    }
  }
  if (isSet(env, 'SLURM_LAUNCH_NODE_IPADDR')) return env.SLURM_LAUNCH_NODE_IPADDR!.trim();
  throw missing('MASTER_ADDR', 'slurm', 'the master host (none of SLURM_STEP_NODELIST, SLURM_JOB_NODELIST, SLURM_NODELIST, SLURM_LAUNCH_NODE_IPADDR is set either)');
}

// Two jobs sharing a node must not pick the same port: derive it from the job id, below Linux's
// ephemeral range (32768+), when MASTER_PORT is not given.
function slurmMasterPort(env: Env): number {
  if (isSet(env, 'MASTER_PORT')) return port(env, 'MASTER_PORT', 'slurm');
  if (isSet(env, 'SLURM_JOB_ID')) return 20000 + (integer(env, 'SLURM_JOB_ID', 'slurm') % 10000);
  return DEFAULT_MASTER_PORT;
}

/**
 * Expands a SLURM host list: "node[01-03,07],gpu5" -> node01 node02 node03 node07 gpu5. Several bracket
 * groups in one name ("r[1-2]n[3-4]") give their product; zero padding follows the range's first bound.
 */
export function expandHostlist(list: string, name = 'host list'): string[] {
  const out: string[] = [];
  for (const item of splitTopLevel(list.trim(), name)) {
    let names = [''];
    const re = /([^[\]]*)(?:\[([^\]]*)\])?/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(item)) && m[0] !== '') {
      const suffixes = m[2] === undefined ? [''] : expandRanges(m[2], item, name);
      names = names.flatMap((n) => suffixes.map((s) => n + m![1] + s));
    }
    out.push(...names);
  }
  if (!out.length || out.some((h) => !h)) throw new Error(`distributedEnv: ${name} must list host names like "node[01-03],gpu5", found ${JSON.stringify(list)}`);
  return out;
}

function splitTopLevel(list: string, name: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of list) {
    if (ch === '[') depth++;
    if (ch === ']') depth--;
    if (depth < 0 || depth > 1) break;
    if (ch === ',' && depth === 0) {
      items.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (depth !== 0) throw new Error(`distributedEnv: ${name} has unbalanced brackets: ${JSON.stringify(list)}`);
  items.push(cur);
  return items.filter((s) => s !== '');
}

function expandRanges(body: string, item: string, name: string): string[] {
  const out: string[] = [];
  for (const part of body.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new Error(`distributedEnv: ${name} has a bad range "${part}" in "${item}" (expected N or N-M)`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) throw new Error(`distributedEnv: ${name} has a decreasing range "${part}" in "${item}"`);
    for (let i = lo; i <= hi; i++) out.push(String(i).padStart(m[1].length, '0'));
  }
  return out;
}

/** "2(x3),1" -> [2, 2, 2, 1]: SLURM's per-node task counts. */
export function expandTasksPerNode(value: string): number[] {
  const out: number[] = [];
  for (const part of value.split(',')) {
    const m = /^\s*(\d+)(?:\(x(\d+)\))?\s*$/.exec(part);
    if (!m || Number(m[1]) < 1) throw new Error(`distributedEnv: SLURM_TASKS_PER_NODE must look like "2(x3),1", found ${JSON.stringify(value)}`);
    for (let i = 0; i < Number(m[2] ?? 1); i++) out.push(Number(m[1]));
  }
  return out;
}

function isSet(env: Env, name: string): boolean {
  return env[name] !== undefined && env[name]!.trim() !== '';
}

function missing(name: string, source: DistributedEnvSource, what: string): Error {
  return new Error(`distributedEnv (${source} environment): ${name} is not set; expected ${what}`);
}

function integer(env: Env, name: string, source: DistributedEnvSource): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') throw missing(name, source, 'an integer');
  if (!/^\s*\d+\s*$/.test(raw)) throw new Error(`distributedEnv (${source} environment): ${name} must be a non-negative integer, found ${JSON.stringify(raw)}`);
  return Number(raw);
}

function count(env: Env, name: string, source: DistributedEnvSource): number {
  const n = integer(env, name, source);
  if (n < 1) throw new Error(`distributedEnv (${source} environment): ${name} must be at least 1, found ${n}`);
  return n;
}

function index(env: Env, name: string, size: number, sizeName: string, source: DistributedEnvSource): number {
  const i = integer(env, name, source);
  if (i >= size) throw new Error(`distributedEnv (${source} environment): ${name} must be below ${sizeName} (${size}), found ${i}`);
  return i;
}

function port(env: Env, name: string, source: DistributedEnvSource): number {
  const p = integer(env, name, source);
  if (p < 1 || p > 65535) throw new Error(`distributedEnv (${source} environment): ${name} must be a TCP port in 1..65535, found ${p}`);
  return p;
}

function check(e: DistributedEnv): DistributedEnv {
  if (e.masterAddr === '') throw new Error(`distributedEnv (${e.source} environment): MASTER_ADDR is empty`);
  if (e.localWorldSize > e.worldSize) {
    throw new Error(`distributedEnv (${e.source} environment): the local world size (${e.localWorldSize}) exceeds the world size (${e.worldSize})`);
  }
  return e;
}
