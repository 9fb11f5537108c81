import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ImageCache, PodRuntime, defaultRuntimeTiming, podUsage, type RuntimePod } from '@ekslab/kubelet';
import { registerResourceMetrics } from './resource-metrics.js';

const T0 = 1_700_000_000_000;

function runtime(annotations: Record<string, string>): PodRuntime {
  const images = new ImageCache();
  images.add('nginx:1.27', 1000);
  const pod: RuntimePod = {
    metadata: { name: 'web', namespace: 'default', uid: 'u-1', annotations },
    spec: { nodeName: 'n1', hostNetwork: true, containers: [{ name: 'app', image: 'nginx:1.27' }, { name: 'side', image: 'nginx:1.27' }] },
  };
  const rt = new PodRuntime(pod, { nodeName: 'n1', nodeIp: '10.0.0.10', images, timing: defaultRuntimeTiming }, T0);
  rt.advance(T0);
  return rt;
}

const sample = (text: string, line: string): number => {
  const m = text.split('\n').find((l) => l.startsWith(`${line} `));
  if (m === undefined) throw new Error(`no ${line} in\n${text}`);
  return Number(m.slice(line.length + 1));
};

describe('resource metrics', () => {
  it('grow at the annotated rate while running; the node adds its base and retired pods', async () => {
    const rt = runtime({ 'ekslab.io/cpu-millicores.app': '500', 'ekslab.io/memory-mib.app': '100' });
    let now = T0;
    const registry = new Registry();
    registerResourceMetrics(registry, {
      clock: { now: () => now } as never,
      usage: (at) => [{ node: 'n1', since: T0, retiredCpuSeconds: 2, pods: [{ namespace: 'default', name: 'web', usage: podUsage(rt, at) }] }],
      nodeBaseCpuMillicores: 40, nodeBaseMemoryMib: 400,
    });
    now = T0 + 10_000;
    const text = await registry.metrics();
    expect(sample(text, 'container_cpu_usage_seconds_total{container="app",namespace="default",pod="web",node="n1"}')).toBeCloseTo(5);
    expect(sample(text, 'container_cpu_usage_seconds_total{container="side",namespace="default",pod="web",node="n1"}')).toBeCloseTo(0.01);
    expect(sample(text, 'container_memory_working_set_bytes{container="app",namespace="default",pod="web",node="n1"}')).toBe(100 * 1024 * 1024);
    expect(sample(text, 'container_memory_working_set_bytes{container="side",namespace="default",pod="web",node="n1"}')).toBe(8 * 1024 * 1024);
    expect(sample(text, 'pod_cpu_usage_seconds_total{namespace="default",pod="web",node="n1"}')).toBeCloseTo(5.01);
    expect(sample(text, 'pod_memory_working_set_bytes{namespace="default",pod="web",node="n1"}')).toBe(108 * 1024 * 1024);
    expect(sample(text, 'node_cpu_usage_seconds_total{node="n1"}')).toBeCloseTo(0.4 + 2 + 5.01);
    expect(sample(text, 'node_memory_working_set_bytes{node="n1"}')).toBe(508 * 1024 * 1024);
    now = T0 + 20_000;
    rt.advance(now);
    expect(sample(await registry.metrics(), 'container_cpu_usage_seconds_total{container="app",namespace="default",pod="web",node="n1"}')).toBeCloseTo(10);
  });
});
