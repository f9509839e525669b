/** The command line of a tool: its options read strictly, and the files it names. */
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/**
 * The options and positionals of `process.argv` by `config`. A mistake (an unknown option, one
 * without its value, a value given to a flag, a single-valued option given twice) calls `fail`
 * with one line saying what is wrong, where `parseArgs` alone would throw at the user a stack
 * trace, or keep the last of two values without a word.
 */
export function readCommandLine<const T extends ParseArgsConfig>(
  config: T,
  fail: (message: string) => never,
): ReturnType<typeof parseArgs<T>> {
  let read: ReturnType<typeof parseArgs<T>>;
  try {
    read = parseArgs(config);
  } catch (error) {
    fail(describeMistake(config, error as Error));
  }
  const repeated = repeatedOption(config);
  if (repeated) fail(repeated);
  return read;
}

/**
 * `--layer is given twice ("a", "b")` for a value option without `multiple` given more than
 * once (`--layer a --layer b` exported b), else undefined. A repeated flag says nothing new.
 */
function repeatedOption(config: ParseArgsConfig): string | undefined {
  const options: OptionsConfig = config.options ?? {};
  const { tokens } = parseArgs({ ...config, tokens: true });
  const values = new Map<string, string[]>();
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const option = options[token.name];
    if (option?.type !== 'string' || option.multiple) continue;
    const given = [...(values.get(token.name) ?? []), token.value ?? ''];
    values.set(token.name, given);
    if (given.length === 2) {
      const quoted = given.map((value) => JSON.stringify(value.slice(0, 60))).join(', ');
      return `--${token.name} is given twice (${quoted}); give it once`;
    }
  }
  return undefined;
}

/**
 * The command line of a tool taking no option but -h/--help: the help prints `usage` and exits
 * 0; anything else prints the mistake and `usage` to standard error and exits 2.
 */
export function readHelpOnly(command: string, usage: string) {
  const { values } = readCommandLine(
    { options: { help: { type: 'boolean', short: 'h' } } },
    (mistake) => {
      console.error(`${command}: ${mistake}\n\n${usage}`);
      process.exit(2);
    },
  );
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
}

function describeMistake(config: ParseArgsConfig, error: Error): string {
  const options: OptionsConfig = config.options ?? {};
  const { tokens } = parseArgs({ ...config, strict: false, tokens: true });
  for (const token of tokens) {
    if (token.kind === 'positional' && !config.allowPositionals) {
      return `unexpected argument "${token.value}"`;
    }
    if (token.kind !== 'option') continue;
    const option = options[token.name];
    if (!option) return `unknown option ${token.rawName}${suggestOption(options, token.name)}`;
    const long = `--${token.name}`;
    if (option.type === 'boolean' && token.value !== undefined) {
      return `${long} takes no value; got "${token.value}"`;
    }
    if (option.type === 'string' && token.value === undefined) return `${long} needs a value`;
    // parseArgs takes no value starting with a dash unless it is written --name=value
    if (option.type === 'string' && !token.inlineValue && /^-./.test(token.value!)) {
      return `${long} needs a value, not "${token.value}" (write ${long}=${token.value} if meant)`;
    }
  }
  return error.message.split('\n')[0]!;
}

/** `, did you mean --dry-run?` for `--dryrun` or `--Dry_Run`; empty without a likely one. */
function suggestOption(options: OptionsConfig, name: string): string {
  const bare = (text: string) => text.toLowerCase().replace(/[-_]/g, '');
  const meant = Object.keys(options).find((known) => bare(known) === bare(name));
  return meant ? `; did you mean --${meant}?` : '';
}

/**
 * `file` as the person typing the command meant it: relative to the folder they typed it in.
 * npm runs a script in the package root and names that folder in INIT_CWD (read here, not in
 * config.ts: it is npm's word about this one run, never the server's configuration).
 */
export function resolveCallerPath(file: string): string {
  return path.resolve(process.env.INIT_CWD ?? process.cwd(), file);
}
