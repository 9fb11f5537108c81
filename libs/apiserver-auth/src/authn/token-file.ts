import { TokenFileFormatError } from '../errors.js';
import type { UserInfo } from '../user.js';

/** One line of a `--token-auth-file`: `token,user,uid,"group1,group2"`. */
export interface TokenFileEntry {
  readonly token: string;
  readonly user: UserInfo;
}

/**
 * Parses kube-apiserver's `--token-auth-file` CSV (tokenfile.NewCSV): at least 3 columns (token, user name,
 * user uid), an optional 4th with comma-separated groups (quote it), further columns ignored. Like Go's
 * encoding/csv: fields may be quoted with `""` escaping, empty lines are skipped, there are no comments
 * (a `#` line is a record and fails the 3-column rule). Empty tokens are skipped; for a duplicate token
 * the last line wins. An empty uid means "no uid"; empty group names are dropped.
 */
export function parseTokenFile(text: string, path = 'tokens.csv'): TokenFileEntry[] {
  const byToken = new Map<string, TokenFileEntry>();
  for (const record of parseCsv(text, path)) {
    if (record.length < 3) {
      throw new TokenFileFormatError(
        `token file '${path}' must have at least 3 columns (token, user name, user uid), found ${record.length}`,
      );
    }
    const [token, username, uid, groups] = record as [string, string, string, string?];
    if (token === '') continue;
    byToken.delete(token);
    byToken.set(token, {
      token,
      user: {
        username,
        ...(uid ? { uid } : {}),
        groups: groups === undefined ? [] : groups.split(',').filter((g) => g !== ''),
      },
    });
  }
  return [...byToken.values()];
}

/** Renders entries as a token file that `parseTokenFile` (and kube-apiserver) reads back identically. */
export function formatTokenFile(entries: readonly TokenFileEntry[]): string {
  return entries
    .map(({ token, user }) => [token, user.username, user.uid ?? '', user.groups.join(',')].map(csvField).join(','))
    .map((line) => `${line}\n`)
    .join('');
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) || value.startsWith(' ') ? `"${value.replaceAll('"', '""')}"` : value;
}

/** RFC 4180 records as Go's encoding/csv reads them (LazyQuotes off, TrimLeadingSpace off). */
function parseCsv(text: string, path: string): string[][] {
  const records: string[][] = [];
  let i = 0;
  let line = 1;
  while (i < text.length) {
    if (text[i] === '\n' || (text[i] === '\r' && text[i + 1] === '\n')) {
      i += text[i] === '\r' ? 2 : 1; // empty line
      line++;
      continue;
    }
    const record: string[] = [];
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= text.length) throw new TokenFileFormatError(`token file '${path}' line ${line}: extraneous or missing " in quoted-field`);
          const c = text[i]!;
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n') line++;
          field += c;
          i++;
        }
        if (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          throw new TokenFileFormatError(`token file '${path}' line ${line}: extraneous or missing " in quoted-field`);
        }
      } else {
        while (i < text.length && text[i] !== ',' && text[i] !== '\n' && !(text[i] === '\r' && text[i + 1] === '\n')) {
          if (text[i] === '"') throw new TokenFileFormatError(`token file '${path}' line ${line}: bare " in non-quoted-field`);
          field += text[i];
          i++;
        }
      }
      record.push(field);
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '\r') i++;
      if (text[i] === '\n') {
        i++;
        line++;
      }
      break;
    }
    records.push(record);
  }
  return records;
}

/** A static token authenticator over parsed token-file entries. */
export class TokenFileAuthenticator {
  private readonly tokens = new Map<string, UserInfo>();

  constructor(entries: readonly TokenFileEntry[]) {
    for (const e of entries) this.tokens.set(e.token, e.user);
  }

  static fromText(text: string, path?: string): TokenFileAuthenticator {
    return new TokenFileAuthenticator(parseTokenFile(text, path));
  }

  /** The user for `token`, or undefined when the file does not list it. */
  authenticateToken(token: string): UserInfo | undefined {
    return this.tokens.get(token);
  }
}
