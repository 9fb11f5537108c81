// @ekslab/kubelet — the simulated kubelet's logic: Node objects as EKS nodes look, leases, the simulated container runtime.
export {};
