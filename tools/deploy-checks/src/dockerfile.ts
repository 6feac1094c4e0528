import { readFileSync } from 'node:fs';

/** One Dockerfile instruction, continuation lines joined. */
export interface Instruction {
  keyword: string;
  /** Everything after the keyword, trimmed. */
  args: string;
  line: number;
}

export interface Stage {
  /** The image named by FROM, e.g. `node:24.20.0-trixie-slim`. */
  from: string;
  /** The `AS` name, when given. */
  name?: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  stages: Stage[];
  /** Instructions before the first FROM (ARG only, in a valid file). */
  preamble: Instruction[];
}

/** Reads a Dockerfile into stages; enough of the syntax for the checks, not a full parser. */
export function parseDockerfile(path: string): Dockerfile {
  const result: Dockerfile = { stages: [], preamble: [] };
  for (const instruction of instructionsOf(readFileSync(path, 'utf8'))) {
    if (instruction.keyword === 'FROM') {
      const [from, as, name] = instruction.args.split(/\s+/);
      result.stages.push({
        from,
        name: as?.toUpperCase() === 'AS' ? name : undefined,
        instructions: [],
      });
    } else if (result.stages.length === 0) {
      result.preamble.push(instruction);
    } else {
      result.stages[result.stages.length - 1].instructions.push(instruction);
    }
  }
  return result;
}

function* instructionsOf(text: string): Generator<Instruction> {
  const lines = text.split('\n');
  let pending: { text: string; line: number } | undefined;

  for (const [index, raw] of lines.entries()) {
    const trimmed = raw.trim();
    if (trimmed.startsWith('#') || (trimmed === '' && !pending)) continue;

    const continues = trimmed.endsWith('\\');
    const piece = continues ? trimmed.slice(0, -1).trim() : trimmed;
    pending = pending
      ? { text: `${pending.text} ${piece}`, line: pending.line }
      : { text: piece, line: index + 1 };
    if (continues) continue;

    const match = /^(\S+)\s*(.*)$/s.exec(pending.text);
    if (match) yield { keyword: match[1].toUpperCase(), args: match[2].trim(), line: pending.line };
    pending = undefined;
  }
}

/** The exec-form array of ENTRYPOINT or CMD, or undefined for the shell form. */
export function execForm(instruction: Instruction | undefined): string[] | undefined {
  if (!instruction || !instruction.args.startsWith('[')) return undefined;
  const parsed: unknown = JSON.parse(instruction.args);
  return Array.isArray(parsed) && parsed.every((part) => typeof part === 'string')
    ? parsed
    : undefined;
}

/** `COPY [--flag=value ...] <src>... <dest>`, split into its parts. */
export function copyParts(instruction: Instruction): {
  flags: Record<string, string>;
  sources: string[];
  dest: string;
} {
  const words = instruction.args.split(/\s+/);
  const flags: Record<string, string> = {};
  for (const word of words.filter((each) => each.startsWith('--'))) {
    const [flag, value = ''] = word.slice(2).split('=');
    flags[flag] = value;
  }
  const paths = words.filter((each) => !each.startsWith('--'));
  return { flags, sources: paths.slice(0, -1), dest: paths[paths.length - 1] ?? '' };
}

/**
 * The .dockerignore rules as Docker applies them: patterns relative to the context root,
 * `*` and `?` within one path segment, `**` across segments, `!` re-includes, the last
 * matching rule wins, and an excluded directory takes its contents with it.
 */
export class DockerIgnore {
  private readonly rules: Array<{ exclude: boolean; pattern: RegExp; source: string }>;

  constructor(text: string) {
    this.rules = text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => {
        const exclude = !line.startsWith('!');
        const source = (exclude ? line : line.slice(1)).replace(/^\/+|\/+$/g, '');
        return { exclude, pattern: globToRegExp(source), source };
      });
  }

  static read(path: string): DockerIgnore {
    return new DockerIgnore(readFileSync(path, 'utf8'));
  }

  get patterns(): string[] {
    return this.rules.map((rule) => (rule.exclude ? '' : '!') + rule.source);
  }

  /** Whether `relativePath` (slash-separated, from the context root) stays out. */
  excludes(relativePath: string): boolean {
    const segments = relativePath.split('/');
    for (let depth = 1; depth <= segments.length; depth++) {
      if (this.matches(segments.slice(0, depth).join('/'))) return true;
    }
    return false;
  }

  private matches(path: string): boolean {
    let excluded = false;
    for (const rule of this.rules) {
      if (rule.pattern.test(path)) excluded = rule.exclude;
    }
    return excluded;
  }
}

function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i];
    if (glob.startsWith('**/', i)) {
      source += '(?:.*/)?';
      i += 2;
    } else if (glob.startsWith('**', i)) {
      source += '.*';
      i += 1;
    } else if (char === '*') {
      source += '[^/]*';
    } else if (char === '?') {
      source += '[^/]';
    } else {
      source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}
