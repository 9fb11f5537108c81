/**
 * kube-apiserver's `--watch-cache-sizes`: comma-separated `resource[.group]#size` settings (core resources
 * without a group). Since the watch cache sizes itself, the only meaningful size is 0, which turns the cache
 * of that resource off (its lists and watches then go to etcd); every other size keeps it on. Errors are
 * worded as kube's ParseWatchCacheSizes words them.
 */
export function parseWatchCacheSizes(flag: string): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const entry of flag.split(',')) {
    const setting = entry.trim();
    if (setting === '') continue;
    const parts = setting.split('#');
    if (parts.length !== 2 || parts[0] === '' || !/^-?[0-9]+$/.test(parts[1] ?? '')) throw new Error(`invalid value of watch cache size: ${setting}`);
    const size = Number(parts[1]);
    if (size < 0) throw new Error(`watch cache size cannot be negative: ${setting}`);
    sizes.set(parts[0]!.toLowerCase(), size);
  }
  return sizes;
}

/** The `resource[.group]` name `--watch-cache-sizes` uses for a resource. */
export function watchCacheResourceName(info: { readonly resource: string; readonly group: string }): string {
  return info.group ? `${info.resource}.${info.group}` : info.resource;
}
