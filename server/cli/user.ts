import { text } from 'node:stream/consumers';
import { read } from 'read';
import { layerDefinitions } from '../../layers/index.js';
import { migrate } from '../db/migrate.js';
import type { ApiTokenRow } from '../db/queries/accounts.js';
import { openDatabase } from '../db/pool.js';
import { HttpProblem } from '../http/problem.js';
import { exitAfterFailedStart } from '../startup.js';
import {
  createApiToken,
  createUser,
  knownRoles,
  listApiTokens,
  listUsers,
  minPasswordLength,
  revokeApiToken,
  updateUser,
} from '../services/account-service.js';
import { readCommandLine } from './command-line.js';

const usage = `Usage: npm run user -- <command> [options]

  add <name> --role <role> [--role <role>...]   create a user (asks for the password)
  passwd <name>                                 set a new password
  roles <name> --role <role> [--role <role>...] replace a user's roles
  disable <name> | enable <name>                stop or allow a user's logins
  list                                          users and their roles
  token <name> --role <role> [--layer <id>...] [--write [--without-if-match]]
                                                create an API token (printed once);
                                                --without-if-match: its edits need no
                                                If-Match (QGIS), last write wins
  tokens                                        API tokens
  revoke-token <id>                             revoke an API token at once

The password is read from SIMPUL_USER_PASSWORD, else from standard input when it is not a
terminal (for scripts), else asked twice without echo. There is no default password.
Roles: ${knownRoles().join(', ')}.`;

/** Exit codes, as the other commands use them: 0 done, 1 failed, 2 wrong usage. */
const exitCodes = { failed: 1, usage: 2 } as const;

const { values, positionals } = readCommandLine(
  {
    allowPositionals: true,
    options: {
      role: { type: 'string', multiple: true, default: [] },
      layer: { type: 'string', multiple: true, default: [] },
      write: { type: 'boolean', default: false },
      'without-if-match': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  },
  (mistake) => {
    console.error(`user: ${mistake}\n\n${usage}`);
    process.exit(exitCodes.usage);
  },
);

/** Thrown for a wrong command line; its message is printed with the usage. */
class UsageError extends Error {}

async function readPassword(): Promise<string> {
  // Read here, not in config.ts: a secret of this one command, never of the server, and kept
  // out of the configuration the server logs at start.
  const fromEnvironment = process.env.SIMPUL_USER_PASSWORD;
  if (fromEnvironment) return fromEnvironment;
  if (!process.stdin.isTTY) return (await text(process.stdin)).replace(/\r?\n$/, '');

  const first = await read({
    prompt: `Password (at least ${minPasswordLength} characters): `,
    silent: true,
  });
  const second = await read({ prompt: 'Same password again: ', silent: true });
  if (first !== second) throw new UsageError('the two passwords differ');
  return first;
}

function requireName(): string {
  const name = positionals[1];
  if (!name) throw new UsageError('name the user');
  return name;
}

/** At least one role, each a declared one: a typo is said before the database opens. */
function requireRoles(): string[] {
  if (values.role.length === 0) throw new UsageError('give at least one --role');
  const known: string[] = knownRoles();
  const unknown = values.role.filter((role) => !known.includes(role));
  if (unknown.length > 0) {
    throw new UsageError(`unknown role ${unknown.join(', ')}; roles are: ${known.join(', ')}.`);
  }
  return values.role;
}

function requireWriteForWithoutIfMatch(): boolean {
  const withoutIfMatch = values['without-if-match'];
  if (withoutIfMatch && !values.write) {
    throw new UsageError('--without-if-match is for a token that writes: add --write');
  }
  return withoutIfMatch;
}

const withoutIfMatchNote =
  'It edits without If-Match (for QGIS): the last write wins over a change saved since ' +
  'the feature was read; the history keeps the overwritten version.';

/** One line of `tokens`: id, name, roles, layers, read or write, the opt-out, revoked. */
function describeToken(token: ApiTokenRow): string {
  const fields = [
    token.id,
    token.name,
    token.roles.join(','),
    token.layerIds?.join(',') ?? 'all',
    token.canWrite ? 'write' : 'read',
  ];
  if (token.withoutIfMatch) fields.push('without If-Match');
  if (token.revokedAt) fields.push('revoked');
  return fields.join('\t');
}

/** The id `revoke-token` names; a wrong one would reach the database as NaN. */
function requireTokenId(): number {
  const given = positionals[1];
  const id = Number(given);
  if (given && /^\d+$/.test(given) && Number.isSafeInteger(id)) return id;
  const got = given === undefined ? '' : `; got "${given}"`;
  throw new UsageError(`revoke-token takes the id of a token (a number, see tokens)${got}`);
}

/**
 * Checks the command line before the database is opened: a mistake is said as such, not as
 * the database being unreachable or the data folder in use.
 */
function checkCommandLine(command: string | undefined) {
  const commands = ['add', 'passwd', 'roles', 'disable', 'enable', 'list', 'token', 'tokens'];
  if (command === 'revoke-token') return requireTokenId();
  if (!command) throw new UsageError('name a command');
  if (!commands.includes(command)) throw new UsageError(`unknown command ${command}`);
  if (['list', 'tokens'].includes(command)) return;
  requireName();
  if (['add', 'roles', 'token'].includes(command)) requireRoles();
  if (command === 'token') requireWriteForWithoutIfMatch();
}

async function run(command: string | undefined) {
  checkCommandLine(command);
  const database = await openDatabase();
  const db = database.pool;
  try {
    await migrate(db, layerDefinitions);
    switch (command) {
      case 'add': {
        const name = requireName();
        const user = await createUser(db, {
          name,
          roles: requireRoles(),
          password: await readPassword(),
        });
        return `Created ${user.name} with roles ${user.roles.join(', ')}.`;
      }
      case 'passwd': {
        const name = requireName();
        // asked for only once the user is known: typed twice for nothing, else
        if (!(await listUsers(db)).some((user) => user.name === name)) {
          throw new HttpProblem(404, 'unknown-user', 'Unknown user', `No user named ${name}.`);
        }
        await updateUser(db, name, { password: await readPassword() });
        return "Password changed; the user's sessions have ended.";
      }
      case 'roles': {
        const user = await updateUser(db, requireName(), { roles: requireRoles() });
        return `${user.name} now has roles ${user.roles.join(', ')}.`;
      }
      case 'disable':
      case 'enable': {
        const user = await updateUser(db, requireName(), { disabled: command === 'disable' });
        return `${user.name} is ${user.disabled ? 'disabled' : 'enabled'}.`;
      }
      case 'list':
        return (await listUsers(db))
          .map((u) => `${u.name}\t${u.roles.join(',')}${u.disabled ? '\t(disabled)' : ''}`)
          .join('\n');
      case 'token': {
        const layerIds = values.layer.length > 0 ? values.layer : 'all';
        const request = {
          name: requireName(),
          roles: requireRoles(),
          layerIds,
          write: values.write,
          withoutIfMatch: requireWriteForWithoutIfMatch(),
        };
        const token = await createApiToken(db, request, 'command line');
        const shown = `Token ${token.id} for ${token.name} (shown once, keep it secret):`;
        const lines = [shown, token.secret];
        if (token.withoutIfMatch) lines.push(withoutIfMatchNote);
        return lines.join('\n');
      }
      case 'tokens':
        return (await listApiTokens(db)).map(describeToken).join('\n');
      case 'revoke-token': {
        const token = await revokeApiToken(db, requireTokenId());
        return `Token ${token.id} (${token.name}) is revoked.`;
      }
      default:
        throw new UsageError(command ? `unknown command ${command}` : 'name a command');
    }
  } finally {
    await database.close();
  }
}

if (values.help) {
  console.log(usage);
} else {
  try {
    console.log(await run(positionals[0]));
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`user: ${error.message}\n\n${usage}`);
      process.exitCode = exitCodes.usage;
    } else if (error instanceof HttpProblem) {
      console.error(error.detail);
      process.exitCode = exitCodes.failed;
    } else {
      // the data folder in use, the database unreachable: one line, as every command says it
      exitAfterFailedStart(error);
    }
  }
}
