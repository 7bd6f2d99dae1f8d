// distributedEnv(): where a process sits in a job, read from torchrun, Open MPI or SLURM variables,
// with their precedence, SLURM host lists and the errors for missing or bad values.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../../src/index.js';
import { distributedEnv, expandHostlist, expandTasksPerNode } from '../../src/distributed/env.js';

const start = torch.memory().liveTensors;
after(() => assert.equal(torch.memory().liveTensors, start, 'env tests leaked tensors'));

const TORCHRUN = { RANK: '3', WORLD_SIZE: '4', LOCAL_RANK: '1', LOCAL_WORLD_SIZE: '2', MASTER_ADDR: 'node01', MASTER_PORT: '29501' };
const MPI = { OMPI_COMM_WORLD_RANK: '5', OMPI_COMM_WORLD_SIZE: '8', OMPI_COMM_WORLD_LOCAL_RANK: '1', OMPI_COMM_WORLD_LOCAL_SIZE: '4', MASTER_ADDR: '10.0.0.1' };
const SLURM = {
  SLURM_PROCID: '5',
  SLURM_NTASKS: '6',
  SLURM_LOCALID: '1',
  SLURM_NODEID: '2',
  SLURM_TASKS_PER_NODE: '2(x3)',
  SLURM_JOB_NODELIST: 'gpu[07-09]',
  SLURM_JOB_ID: '4242',
  SLURM_LAUNCH_NODE_IPADDR: '10.1.1.1',
};

const cases: [string, Record<string, string>, object | null][] = [
  ['no launcher variables', { PATH: '/usr/bin' }, null],
  ['empty RANK counts as unset', { RANK: ' ' }, null],
  ['torchrun', TORCHRUN, { rank: 3, worldSize: 4, localRank: 1, localWorldSize: 2, masterAddr: 'node01', masterPort: 29501, source: 'torchrun' }],
  ['hand-set RANK/WORLD_SIZE: one node assumed', { RANK: '1', WORLD_SIZE: '2', MASTER_ADDR: 'h', MASTER_PORT: '1234' }, { rank: 1, worldSize: 2, localRank: 1, localWorldSize: 2, masterAddr: 'h', masterPort: 1234, source: 'torchrun' }],
  ['torchrun inside SLURM and MPI wins', { ...SLURM, ...MPI, ...TORCHRUN }, { rank: 3, worldSize: 4, localRank: 1, localWorldSize: 2, masterAddr: 'node01', masterPort: 29501, source: 'torchrun' }],
  ['Open MPI with MASTER_ADDR, default port', MPI, { rank: 5, worldSize: 8, localRank: 1, localWorldSize: 4, masterAddr: '10.0.0.1', masterPort: 29500, source: 'mpi' }],
  ['Open MPI on one node: master is 127.0.0.1', { OMPI_COMM_WORLD_RANK: '1', OMPI_COMM_WORLD_SIZE: '2', OMPI_COMM_WORLD_LOCAL_RANK: '1', OMPI_COMM_WORLD_LOCAL_SIZE: '2', MASTER_PORT: '4000' }, { rank: 1, worldSize: 2, localRank: 1, localWorldSize: 2, masterAddr: '127.0.0.1', masterPort: 4000, source: 'mpi' }],
  ['mpirun inside a SLURM allocation is MPI', { ...SLURM, SLURM_PROCID: '0', ...MPI }, { rank: 5, worldSize: 8, localRank: 1, localWorldSize: 4, masterAddr: '10.0.0.1', masterPort: 29500, source: 'mpi' }],
  ['SLURM: first host of the node list, port from the job id', SLURM, { rank: 5, worldSize: 6, localRank: 1, localWorldSize: 2, masterAddr: 'gpu07', masterPort: 24242, source: 'slurm' }],
  ['SLURM: the step node list comes before the job node list', { ...SLURM, SLURM_STEP_NODELIST: 'cn[3-4]' }, { rank: 5, worldSize: 6, localRank: 1, localWorldSize: 2, masterAddr: 'cn3', masterPort: 24242, source: 'slurm' }],
  ['SLURM: MASTER_ADDR/MASTER_PORT override', { ...SLURM, MASTER_ADDR: 'head', MASTER_PORT: '3000' }, { rank: 5, worldSize: 6, localRank: 1, localWorldSize: 2, masterAddr: 'head', masterPort: 3000, source: 'slurm' }],
  [
    'SLURM: SLURM_NTASKS_PER_NODE, launch node address without a node list',
    { SLURM_PROCID: '2', SLURM_NTASKS: '4', SLURM_LOCALID: '0', SLURM_NTASKS_PER_NODE: '2', SLURM_LAUNCH_NODE_IPADDR: '10.1.1.1' },
    { rank: 2, worldSize: 4, localRank: 0, localWorldSize: 2, masterAddr: '10.1.1.1', masterPort: 29500, source: 'slurm' },
  ],
  [
    'SLURM: uneven tasks per node picked by SLURM_NODEID',
    { SLURM_PROCID: '6', SLURM_NTASKS: '7', SLURM_LOCALID: '0', SLURM_NODEID: '3', SLURM_TASKS_PER_NODE: '2(x3),1', SLURM_NODELIST: 'a1,b[2-4]' },
    { rank: 6, worldSize: 7, localRank: 0, localWorldSize: 1, masterAddr: 'a1', masterPort: 29500, source: 'slurm' },
  ],
  [
    'SLURM: one node without per-node counts',
    { SLURM_PROCID: '1', SLURM_NTASKS: '2', SLURM_LOCALID: '1', SLURM_NNODES: '1', SLURM_NODELIST: 'solo' },
    { rank: 1, worldSize: 2, localRank: 1, localWorldSize: 2, masterAddr: 'solo', masterPort: 29500, source: 'slurm' },
  ],
];

for (const [name, env, expected] of cases) {
  test(`distributedEnv: ${name}`, () => {
    assert.deepEqual(distributedEnv(env), expected);
  });
}

const errors: [string, Record<string, string>, RegExp][] = [
  ['RANK without WORLD_SIZE', { RANK: '0', MASTER_ADDR: 'h', MASTER_PORT: '1' }, /torchrun environment\): WORLD_SIZE is not set/],
  ['WORLD_SIZE without RANK', { WORLD_SIZE: '2', MASTER_ADDR: 'h', MASTER_PORT: '1' }, /RANK is not set/],
  ['RANK not a number', { ...TORCHRUN, RANK: 'one' }, /RANK must be a non-negative integer, found "one"/],
  ['negative RANK', { ...TORCHRUN, RANK: '-1' }, /RANK must be a non-negative integer, found "-1"/],
  ['RANK beyond WORLD_SIZE', { ...TORCHRUN, RANK: '4' }, /RANK must be below WORLD_SIZE \(4\), found 4/],
  ['WORLD_SIZE zero', { ...TORCHRUN, RANK: '0', WORLD_SIZE: '0' }, /WORLD_SIZE must be at least 1, found 0/],
  ['LOCAL_RANK beyond LOCAL_WORLD_SIZE', { ...TORCHRUN, LOCAL_RANK: '2' }, /LOCAL_RANK must be below LOCAL_WORLD_SIZE \(2\), found 2/],
  ['LOCAL_WORLD_SIZE above WORLD_SIZE', { ...TORCHRUN, LOCAL_WORLD_SIZE: '8' }, /local world size \(8\) exceeds the world size \(4\)/],
  ['no MASTER_ADDR', { ...TORCHRUN, MASTER_ADDR: '' }, /MASTER_ADDR is not set; expected the host name or address of rank 0/],
  ['no MASTER_PORT', { RANK: '0', WORLD_SIZE: '1', MASTER_ADDR: 'h' }, /MASTER_PORT is not set/],
  ['MASTER_PORT out of range', { ...TORCHRUN, MASTER_PORT: '70000' }, /MASTER_PORT must be a TCP port in 1..65535, found 70000/],
  ['MPI on several nodes without MASTER_ADDR', { ...MPI, MASTER_ADDR: '' }, /\(mpi environment\): MASTER_ADDR is not set; .*mpirun -x MASTER_ADDR/],
  ['MPI without LOCAL_SIZE', { OMPI_COMM_WORLD_RANK: '0', OMPI_COMM_WORLD_SIZE: '2', OMPI_COMM_WORLD_LOCAL_RANK: '0' }, /OMPI_COMM_WORLD_LOCAL_SIZE is not set/],
  ['SLURM without SLURM_NTASKS', { SLURM_PROCID: '0', SLURM_LOCALID: '0' }, /\(slurm environment\): SLURM_NTASKS is not set/],
  ['SLURM without per-node counts on several nodes', { SLURM_PROCID: '0', SLURM_NTASKS: '4', SLURM_LOCALID: '0', SLURM_NODELIST: 'a' }, /SLURM_NTASKS_PER_NODE is not set/],
  ['SLURM with a malformed SLURM_TASKS_PER_NODE', { ...SLURM, SLURM_TASKS_PER_NODE: '2(3)' }, /SLURM_TASKS_PER_NODE must look like "2\(x3\),1", found "2\(3\)"/],
  ['SLURM with a bad node list', { ...SLURM, SLURM_JOB_NODELIST: 'gpu[07-x]' }, /SLURM_JOB_NODELIST has a bad range "07-x" in "gpu\[07-x\]"/],
  ['SLURM with no master source', { SLURM_PROCID: '0', SLURM_NTASKS: '1', SLURM_LOCALID: '0', SLURM_NTASKS_PER_NODE: '1' }, /MASTER_ADDR is not set; expected the master host/],
];

for (const [name, env, message] of errors) {
  test(`distributedEnv error: ${name}`, () => {
    assert.throws(() => distributedEnv(env), message);
  });
}

test('expandHostlist: ranges, lists, padding, several bracket groups', () => {
  assert.deepEqual(expandHostlist('node[01-03,07],gpu5'), ['node01', 'node02', 'node03', 'node07', 'gpu5']);
  assert.deepEqual(expandHostlist('r[1-2]n[08-09]'), ['r1n08', 'r1n09', 'r2n08', 'r2n09']);
  assert.deepEqual(expandHostlist('a-[9-10].site'), ['a-9.site', 'a-10.site']);
  assert.deepEqual(expandHostlist('single'), ['single']);
  assert.throws(() => expandHostlist('n[1-3'), /unbalanced brackets/);
  assert.throws(() => expandHostlist('n[3-1]'), /decreasing range "3-1"/);
  assert.throws(() => expandHostlist(''), /must list host names/);
});

test('expandTasksPerNode: SLURM counts with repeats', () => {
  assert.deepEqual(expandTasksPerNode('4'), [4]);
  assert.deepEqual(expandTasksPerNode('2(x3),1'), [2, 2, 2, 1]);
  assert.throws(() => expandTasksPerNode('0'), /must look like/);
});

test('distributedEnv reads process.env by default', () => {
  const saved = { ...process.env };
  try {
    for (const k of Object.keys(process.env)) if (/^(RANK|WORLD_SIZE|OMPI_|SLURM_)/.test(k)) delete process.env[k];
    assert.equal(distributedEnv(), null);
    Object.assign(process.env, { RANK: '0', WORLD_SIZE: '1', MASTER_ADDR: 'localhost', MASTER_PORT: '29500' });
    assert.equal(distributedEnv()?.source, 'torchrun');
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
});
