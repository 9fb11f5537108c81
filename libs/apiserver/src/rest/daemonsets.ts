// What the generic registry does differently for daemonsets (kube's pkg/registry/apps/daemonset strategy).
import { jsonEqual } from './json-equal.js';

/** The parts of a DaemonSet read here (objects.ts's KubeObject fits; not imported, to keep the modules acyclic). */
interface DaemonSetLike {
  metadata?: { annotations?: Record<string, string> };
  spec?: unknown;
}

/** apps/v1's stand-in for the internal spec.templateGeneration (appsv1.DeprecatedTemplateGeneration). */
export const templateGenerationAnnotation = 'deprecated.daemonset.template.generation';


function parse(obj: DaemonSetLike | undefined): number {
  const v = Number(obj?.metadata?.annotations?.[templateGenerationAnnotation]);
  return Number.isSafeInteger(v) ? v : 0;
}

/**
 * kube's daemonSetStrategy and its v1 conversion: the template generation starts at the value the creator
 * wrote (at least 1), cannot be set by an update, and moves by one whenever spec.template changes; apps/v1
 * shows it as the `deprecated.daemonset.template.generation` annotation, which the DaemonSet controller
 * stamps on its pods as `pod-template-generation`. Call after defaulting, with `current` on update.
 */
export function settleTemplateGeneration(next: DaemonSetLike, current?: DaemonSetLike): void {
  let generation: number;
  if (current === undefined) generation = Math.max(parse(next), 1);
  else {
    const template = (o: DaemonSetLike): unknown => (o.spec as Record<string, unknown> | undefined)?.['template'];
    generation = parse(current) + (jsonEqual(template(current), template(next)) ? 0 : 1);
  }
  const meta = (next.metadata ??= {});
  meta.annotations = { ...meta.annotations, [templateGenerationAnnotation]: String(generation) };
}
