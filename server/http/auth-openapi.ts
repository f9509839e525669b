import { knownRoles, minPasswordLength } from '../services/account-service.js';
import {
  jsonAnswer,
  openApiContributions,
  problemResponse,
  ref,
  type OpenApiPart,
} from './openapi.js';

/**
 * Accounts (`routes/auth.ts`) in the OpenAPI document: the login and its session, the
 * caller's own password, and an administrator's users and API tokens.
 */

type Json = Record<string, unknown>;

/** Who may manage accounts: an administrator's login (tokens never may). */
const adminSession = [{ sessionCookie: [] }];
const adminSessionWrite = [{ sessionCookie: [], csrfToken: [] }];

const jsonBody = (schema: Json) => ({
  required: true,
  content: { 'application/json': { schema } },
});

/** What every account request may answer beside its own outcomes. */
const common = {
  '500': ref('responses/internal'),
  '503': ref('responses/databaseUnavailable'),
};

const readErrors = {
  '400': ref('responses/unknownParameter'),
  '406': ref('responses/notAcceptable'),
  ...common,
};

const bodyErrors = {
  '413': ref('responses/bodyTooLarge'),
  '415': ref('responses/unsupportedBody'),
};

const adminErrors = {
  '401': ref('responses/loginRequired'),
  '403': problemResponse(
    "Not an administrator (`/problems/admin-only`), an API token, even an administrator's " +
      '(`/problems/admin-login-only`), or a session write without its CSRF token ' +
      '(`/problems/csrf-token-missing`) or from another site (`/problems/cross-site-request`).',
  ),
};

const csrfErrors = problemResponse(
  'A write with the session cookie without its X-CSRF-Token (`/problems/csrf-token-missing`), ' +
    'or from another site (`/problems/cross-site-request`).',
);

/** The account schemas; the roles are those of the declared themes. */
const schemas = (): Record<string, Json> => ({
  role: {
    type: 'string',
    enum: knownRoles(),
    description: '`admin`, or `<theme>:editor` / `<theme>:viewer`.',
  },
  user: {
    type: 'object',
    required: ['id', 'name', 'roles', 'disabled', 'createdAt'],
    properties: {
      id: { type: 'integer' },
      name: { type: 'string' },
      roles: { type: 'array', items: ref('schemas/role') },
      disabled: { type: 'boolean' },
      createdAt: { type: 'string', format: 'date-time' },
    },
  },
  apiToken: {
    type: 'object',
    required: ['id', 'name', 'roles', 'layerIds', 'canWrite', 'withoutIfMatch', 'createdBy'],
    properties: {
      id: { type: 'integer' },
      name: { type: 'string' },
      roles: { type: 'array', items: ref('schemas/role') },
      layerIds: {
        type: 'array',
        nullable: true,
        items: { type: 'string' },
        description: 'The layers and record tables of its scope; null: all its roles reach.',
      },
      canWrite: { type: 'boolean' },
      withoutIfMatch: { type: 'boolean' },
      createdBy: { type: 'string' },
      createdAt: { type: 'string', format: 'date-time' },
      lastUsedAt: { type: 'string', format: 'date-time', nullable: true },
      revokedAt: { type: 'string', format: 'date-time', nullable: true },
    },
  },
});

const secretSchema = { type: 'string', description: 'Sent as `Authorization: Bearer`.' };

const password = {
  type: 'string',
  minLength: minPasswordLength,
  description: `At least ${minPasswordLength} characters, else 400 \`/problems/weak-password\`.`,
};

const sessionCookieHeader = {
  'Set-Cookie': {
    description: 'The session cookie `simpul_session` (HttpOnly, SameSite=Lax, Path=/).',
    schema: { type: 'string' },
  },
};

const tooManyLogins = problemResponse(
  'Too many failed logins of this name, or from this address (`/problems/too-many-logins`): ' +
    'every attempt is refused, even with the right password, until the window passes.',
  { 'Retry-After': ref('headers/RetryAfter') },
);

function sessionPaths(): Record<string, Json> {
  return {
    '/auth/login': {
      post: {
        tags: ['auth'],
        summary: 'Log in: a session cookie, and the CSRF token its writes send',
        operationId: 'logIn',
        security: [],
        description:
          'Failed logins are counted per name (LOGIN_MAX_FAILURES) and per address (four ' +
          'times as many) over LOGIN_WINDOW_MINUTES. A body without both members is not ' +
          'counted; other members are ignored.',
        requestBody: jsonBody({
          type: 'object',
          required: ['name', 'password'],
          properties: { name: { type: 'string' }, password: { type: 'string' } },
        }),
        responses: {
          '200': jsonAnswer(
            'Logged in.',
            {
              type: 'object',
              required: ['user', 'csrfToken'],
              properties: {
                user: {
                  type: 'object',
                  properties: {
                    name: { type: 'string' },
                    roles: { type: 'array', items: ref('schemas/role') },
                  },
                },
                csrfToken: { type: 'string' },
              },
            },
            sessionCookieHeader,
          ),
          '400': problemResponse(
            'No JSON object (`/problems/bad-body`), name or password missing or not text ' +
              '(`/problems/bad-login`), or a query parameter (`/problems/unknown-parameter`).',
          ),
          '401': problemResponse(
            'Wrong name or password, or a disabled user (`/problems/login-failed`), or a ' +
              'bad bearer token sent along (`/problems/bad-token`).',
          ),
          '403': problemResponse(
            'Sent from a page of another site (`/problems/cross-site-request`).',
          ),
          '429': tooManyLogins,
          ...bodyErrors,
          ...common,
        },
      },
    },
    '/auth/logout': {
      post: {
        tags: ['auth'],
        summary: 'End the session and clear its cookie',
        operationId: 'logOut',
        security: [{}, { sessionCookie: [], csrfToken: [] }],
        responses: {
          '204': { description: 'Logged out (also when no session was open).' },
          '400': ref('responses/unknownParameter'),
          '401': ref('responses/badToken'),
          '403': csrfErrors,
          ...common,
        },
      },
    },
    '/auth/session': {
      get: {
        tags: ['auth'],
        summary: 'Who is asking, the CSRF token of the session, the layers it may read and edit',
        operationId: 'getSession',
        responses: {
          '200': jsonAnswer('`user` is null for a visitor (no other member then).', {
            type: 'object',
            required: ['user'],
            properties: {
              user: {
                type: 'object',
                nullable: true,
                properties: {
                  name: { type: 'string' },
                  roles: { type: 'array', items: ref('schemas/role') },
                  kind: { type: 'string', enum: ['user', 'token'] },
                },
              },
              csrfToken: { type: 'string', nullable: true, description: 'Null for a token.' },
              expiresAt: { type: 'string', format: 'date-time', nullable: true },
              readableLayers: { type: 'array', items: { type: 'string' } },
              editableLayers: { type: 'array', items: { type: 'string' } },
            },
          }),
          '401': ref('responses/badToken'),
          ...readErrors,
        },
      },
    },
    '/auth/password': {
      post: {
        tags: ['auth'],
        summary: "Change the caller's own password; every session of the user ends",
        operationId: 'changePassword',
        security: [{ sessionCookie: [], csrfToken: [] }],
        description: 'The current password is checked, and counted, as a login is.',
        requestBody: jsonBody({
          type: 'object',
          required: ['currentPassword', 'newPassword'],
          additionalProperties: false,
          properties: { currentPassword: { type: 'string' }, newPassword: password },
        }),
        responses: {
          '204': { description: 'Changed; the session cookie is cleared: log in again.' },
          '400': problemResponse(
            'An API token, which has no password (`/problems/not-a-user`), a short new ' +
              'password (`/problems/weak-password`), or another member (`/problems/bad-body`).',
          ),
          '401': problemResponse(
            'No login (`/problems/login-required`), or a wrong current password ' +
              '(`/problems/login-failed`).',
          ),
          '403': csrfErrors,
          '429': tooManyLogins,
          ...bodyErrors,
          ...common,
        },
      },
    },
  };
}

const userName = {
  name: 'name',
  in: 'path',
  required: true,
  description: 'A user name.',
  schema: { type: 'string' },
};

function userPaths(): Record<string, Json> {
  return {
    '/auth/users': {
      get: {
        tags: ['auth'],
        summary: 'Every user with roles and state',
        operationId: 'listUsers',
        security: adminSession,
        responses: {
          '200': jsonAnswer('The users, by name.', {
            type: 'object',
            properties: { users: { type: 'array', items: ref('schemas/user') } },
          }),
          ...adminErrors,
          ...readErrors,
        },
      },
      post: {
        tags: ['auth'],
        summary: 'Create a user',
        operationId: 'createUser',
        security: adminSessionWrite,
        requestBody: jsonBody({
          type: 'object',
          required: ['name', 'password'],
          additionalProperties: false,
          properties: {
            name: {
              type: 'string',
              pattern: '^[a-z0-9][a-z0-9._-]{1,62}$',
              description:
                '2 to 63 lower-case letters, digits, dots, dashes or underscores, first a ' +
                'letter or digit.',
            },
            password,
            roles: { type: 'array', items: ref('schemas/role'), default: [] },
          },
        }),
        responses: {
          '201': jsonAnswer('Created.', ref('schemas/user')),
          '400': problemResponse(
            'A name that is no user name (`/problems/bad-user-name`), a short password ' +
              '(`/problems/weak-password`), an unknown role (`/problems/unknown-role`), ' +
              'another member (`/problems/bad-body`) or a query parameter.',
          ),
          ...adminErrors,
          '409': problemResponse('A user of that name exists (`/problems/bad-user-name`).'),
          ...bodyErrors,
          ...common,
        },
      },
    },
    '/auth/users/{name}': {
      patch: {
        tags: ['auth'],
        summary: "Change a user's password, roles or enabled state; its sessions end",
        operationId: 'updateUser',
        security: adminSessionWrite,
        parameters: [userName],
        requestBody: jsonBody({
          type: 'object',
          additionalProperties: false,
          properties: {
            password,
            roles: { type: 'array', items: ref('schemas/role') },
            disabled: { type: 'boolean' },
          },
        }),
        responses: {
          '200': jsonAnswer('Changed.', ref('schemas/user')),
          '400': problemResponse(
            'A short password, an unknown role, `disabled` not true or false, another ' +
              'member (`/problems/bad-body`) or a query parameter.',
          ),
          ...adminErrors,
          '404': problemResponse('No user of that name (`/problems/unknown-user`).'),
          ...bodyErrors,
          ...common,
        },
      },
    },
  };
}

const tokenId = {
  name: 'tokenId',
  in: 'path',
  required: true,
  description: 'The id of an API token, in decimal digits (else 400 `/problems/bad-token-id`).',
  schema: { type: 'integer', minimum: 1 },
};

function tokenPaths(): Record<string, Json> {
  return {
    '/auth/tokens': {
      get: {
        tags: ['auth'],
        summary: 'Every API token, revoked ones included, without secrets',
        operationId: 'listTokens',
        security: adminSession,
        responses: {
          '200': jsonAnswer('The tokens, newest first.', {
            type: 'object',
            properties: { tokens: { type: 'array', items: ref('schemas/apiToken') } },
          }),
          ...adminErrors,
          ...readErrors,
        },
      },
      post: {
        tags: ['auth'],
        summary: 'Create an API token for a system; its secret is answered this once',
        operationId: 'createToken',
        security: adminSessionWrite,
        requestBody: jsonBody({
          type: 'object',
          required: ['name', 'roles'],
          additionalProperties: false,
          properties: {
            name: { type: 'string', description: 'Which system uses it.' },
            roles: { type: 'array', minItems: 1, items: ref('schemas/role') },
            layerIds: {
              description: 'Layer and record table ids it may reach; `"all"` or absent: all.',
              oneOf: [
                { type: 'string', enum: ['all'] },
                { type: 'array', items: { type: 'string' } },
              ],
              nullable: true,
            },
            write: {
              type: 'boolean',
              default: false,
              description: 'May write; its roles must edit a layer of its scope.',
            },
            withoutIfMatch: {
              type: 'boolean',
              default: false,
              description: 'Its writes may leave out If-Match (last write wins); needs write.',
            },
          },
        }),
        responses: {
          '201': jsonAnswer('Created; `secret` is shown once and stored only hashed.', {
            allOf: [
              ref('schemas/apiToken'),
              { type: 'object', required: ['secret'], properties: { secret: secretSchema } },
            ],
          }),
          '400': problemResponse(
            'No name (`/problems/bad-token-name`), no or an unknown role ' +
              '(`/problems/unknown-role`), an unknown layer id (`/problems/unknown-layer`), ' +
              '`write` not true or false (`/problems/bad-body`), `write` with roles that edit ' +
              'nothing in its scope (`/problems/write-without-edit-role`), `withoutIfMatch` ' +
              'without `write` (`/problems/without-if-match-read-only`) or not true or false ' +
              '(`/problems/bad-without-if-match`), another member or a query parameter.',
          ),
          ...adminErrors,
          ...bodyErrors,
          ...common,
        },
      },
    },
    '/auth/tokens/{tokenId}': {
      delete: {
        tags: ['auth'],
        summary: 'Revoke an API token at once',
        operationId: 'revokeToken',
        security: adminSessionWrite,
        parameters: [tokenId],
        responses: {
          '200': jsonAnswer('Revoked; `revokedAt` is set.', ref('schemas/apiToken')),
          '400': problemResponse(
            'A token id that is not a positive integer (`/problems/bad-token-id`), or a query ' +
              'parameter.',
          ),
          ...adminErrors,
          '404': problemResponse('No token of that id (`/problems/unknown-token`).'),
          ...common,
        },
      },
    },
  };
}

let registered = false;

/** Adds the account paths to the OpenAPI document once. */
export function registerAuthOpenApi() {
  if (registered) return;
  registered = true;
  openApiContributions.push((): OpenApiPart => ({
    paths: { ...sessionPaths(), ...userPaths(), ...tokenPaths() },
    schemas: schemas(),
  }));
}
