// @ekslab/scheduler — kube-scheduler's framework: filter and score plugins, failure messages as kube-scheduler words them.
export {};
