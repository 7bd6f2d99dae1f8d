// torch.distributed: process groups, stores and collectives on libtorch's c10d (Gloo on CPU).
export { Store, TCPStore, FileStore, PrefixStore, DEFAULT_TIMEOUT_MS, type TCPStoreOptions } from './store.js';
export { Work } from './work.js';
export {
  ProcessGroup,
  initProcessGroup,
  destroyProcessGroup,
  isInitialized,
  isAvailable,
  isGlooAvailable,
  isNcclAvailable,
  getRank,
  getWorldSize,
  getBackend,
  getDefaultStore,
  newGroup,
  type Backend,
  type InitProcessGroupOptions,
  type NewGroupOptions,
} from './group.js';
export {
  ReduceOp,
  allReduce,
  broadcast,
  reduce,
  allGather,
  gather,
  scatter,
  reduceScatter,
  barrier,
  send,
  recv,
  isend,
  irecv,
  type AsyncOptions,
  type ReduceOptions,
  type GatherOptions,
  type ScatterOptions,
  type RecvOptions,
} from './collectives.js';
export { allGatherObject, broadcastObjectList, gatherObject } from './objects.js';
export { distributedEnv, type DistributedEnv } from './env.js';
// the launcher's API (monai-ts-run), for programs that start their own ranks (monai-ts train with ranks > 1)
export { launch, type LaunchIO, type LaunchResult, type RankFailure } from './launcher/run.js';
export type { LaunchOptions } from './launcher/args.js';
