// @ekslab/bench — load tests that print their figures and write JSON (performance lives here, not in tests).
export { benchApiserver } from './apiserver.js';
export type { ApiTarget, ApiserverBenchOptions, ApiserverBenchResult } from './apiserver.js';
export { benchCloud } from './cloud.js';
export type { CloudBenchOptions, CloudBenchResult } from './cloud.js';
export { benchScheduler } from './scheduler.js';
export type { SchedulerBenchOptions, SchedulerBenchResult } from './scheduler.js';
export { benchIpamd } from './ipamd.js';
export type { IpamdBenchOptions, IpamdBenchResult } from './ipamd.js';
export { benchKubelet } from './kubelet.js';
export type { KubeletBenchOptions, KubeletBenchResult } from './kubelet.js';
export { knee, percentile, runLevel } from './stats.js';
export type { LevelResult } from './stats.js';
