import { Command, InvalidArgumentError, Option } from 'commander';

/**
 * One command-line flag of a service. Every flag can also come from an environment variable
 * (`EKSLAB_<FLAG>` unless `env` says otherwise); the flag wins over the variable, the variable over the
 * default. Defaults follow Kubernetes and EKS; tests shorten them through flags.
 */
export interface OptionSpec<T> {
  readonly description: string;
  readonly defaultValue: T;
  /** How the default is shown in `--help` (e.g. `15s` rather than 15000). */
  readonly defaultDescription?: string;
  readonly parse: (raw: string) => T;
  readonly env?: string;
  /** Value placeholder in help, e.g. `<duration>`. Booleans have none. */
  readonly placeholder?: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec<unknown>>>;
export type ConfigOf<S extends OptionSpecs> = { -readonly [K in keyof S]: S[K] extends OptionSpec<infer T> ? T : never };

const durationUnits: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a Go-style duration (`300ms`, `15s`, `1m30s`, `2h`) into milliseconds. */
export function parseDuration(raw: string): number {
  const parts = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/.test(raw) ? raw.match(/\d+(?:\.\d+)?(?:ms|s|m|h)/g) : null;
  if (!parts) throw new InvalidArgumentError(`"${raw}" is not a duration (examples: 500ms, 15s, 1m30s)`);
  return parts.reduce((total, part) => {
    const [, num, unit] = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(part) ?? [];
    return total + Number(num) * (durationUnits[unit ?? ''] ?? Number.NaN);
  }, 0);
}

/** Formats milliseconds the way `parseDuration` reads them back (`15s`, `1m30s`, `250ms`). */
export function formatDuration(ms: number): string {
  if (ms < 1000 || ms % 1000 !== 0) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}

function parseInteger(min: number, max: number) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`"${raw}" is not an integer in [${min}, ${max}]`);
    }
    return n;
  };
}

/** Constructors for the flag kinds services use. */
export const opt = {
  string: (defaultValue: string, description: string, extra: Partial<OptionSpec<string>> = {}): OptionSpec<string> => ({
    description, defaultValue, parse: (raw) => raw, placeholder: '<string>', ...extra,
  }),
  int: (defaultValue: number, description: string, range: [number, number] = [0, Number.MAX_SAFE_INTEGER]): OptionSpec<number> => ({
    description, defaultValue, parse: parseInteger(range[0], range[1]), placeholder: '<int>',
  }),
  port: (defaultValue: number, description: string): OptionSpec<number> => ({
    description, defaultValue, parse: parseInteger(0, 65535), placeholder: '<port>',
  }),
  duration: (defaultValueMs: number, description: string): OptionSpec<number> => ({
    description, defaultValue: defaultValueMs, defaultDescription: formatDuration(defaultValueMs),
    parse: parseDuration, placeholder: '<duration>',
  }),
  list: (defaultValue: readonly string[], description: string): OptionSpec<readonly string[]> => ({
    description, defaultValue, defaultDescription: defaultValue.join(','), placeholder: '<a,b,...>',
    parse: (raw) => raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0),
  }),
  /** A flag with its own parser; whatever it throws is reported as an invalid value of the flag. */
  parsed: <T>(defaultValue: T, description: string, parse: (raw: string) => T, extra: { placeholder?: string; defaultDescription?: string } = {}): OptionSpec<T> => ({
    description, defaultValue, placeholder: extra.placeholder ?? '<value>', ...(extra.defaultDescription !== undefined ? { defaultDescription: extra.defaultDescription } : {}),
    parse: (raw) => {
      try {
        return parse(raw);
      } catch (err) {
        throw new InvalidArgumentError(err instanceof Error ? err.message : String(err));
      }
    },
  }),
  choice: <T extends string>(defaultValue: T, choices: readonly T[], description: string): OptionSpec<T> => ({
    description: `${description} (one of: ${choices.join(', ')})`, defaultValue, placeholder: '<choice>',
    parse: (raw) => {
      if (!(choices as readonly string[]).includes(raw)) throw new InvalidArgumentError(`"${raw}" is not one of ${choices.join(', ')}`);
      return raw as T;
    },
  }),
};

const toFlag = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
export const envNameOf = (key: string): string => `EKSLAB_${toFlag(key).replace(/-/g, '_').toUpperCase()}`;

export interface CommandInfo {
  readonly name: string;
  readonly description: string;
  readonly version: string;
}

/** Builds a commander `Command` whose options are `specs` (camelCase keys become kebab-case flags). */
export function commandFor(info: CommandInfo, specs: OptionSpecs): Command {
  const cmd = new Command(info.name).description(info.description).version(info.version).allowExcessArguments(false);
  for (const [key, spec] of Object.entries(specs)) {
    const option = new Option(`--${toFlag(key)} ${spec.placeholder ?? ''}`.trim(), spec.description)
      .env(spec.env ?? envNameOf(key))
      .default(spec.defaultValue, spec.defaultDescription)
      .argParser((raw: string) => spec.parse(raw));
    cmd.addOption(option);
  }
  cmd.addHelpText('after', '\nEvery flag can also be set by the environment variable shown beside it.');
  return cmd;
}

/**
 * Parses argv (as `process.argv`) into a typed config. Prints help or a usage error and exits like any
 * CLI would (commander's behaviour); pass `exitOverride` in tests to get an exception instead.
 */
export function parseConfig<S extends OptionSpecs>(
  info: CommandInfo, specs: S, argv: readonly string[], env: NodeJS.ProcessEnv = process.env,
  exitOverride = false,
): ConfigOf<S> {
  const saved = process.env;
  const cmd = commandFor(info, specs);
  if (exitOverride) cmd.exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  // commander reads option env vars from process.env; give it the env we were handed.
  process.env = env;
  try {
    cmd.parse([...argv]);
  } finally {
    process.env = saved;
  }
  return cmd.opts<ConfigOf<S>>();
}
