// The shape of the command tree: groups of commands, each command with its arguments, options and help.
import type { Context } from './context.js'

export const EXIT = {
  /** Success; `crc-check`: valid. */
  ok: 0,
  /** X answered with an error or a negative answer; `crc-check`: invalid. */
  failed: 1,
  /** Unknown command or option, a bad or missing argument, a missing token, input X's rules refuse. */
  usage: 2,
  /** X (or the URL) could not be reached, or did not answer in time; `crc-check`: transient. */
  unreachable: 3
} as const

export interface OptionSpec {
  type: 'string' | 'boolean'
  short?: string
  /** The placeholder shown in help: `--from ISO`. */
  value?: string
  description: string
  /** Read from this environment variable when the flag is not given. */
  env?: string
  required?: boolean
}

export type Options = Record<string, OptionSpec>

export interface ArgSpec {
  name: string
  /** One or more. */
  variadic?: boolean
}

/**
 * Which shared options a command takes: `app` calls X with the app's bearer token, `user` also with a user's
 * token (AAA subscribe and check), `none` calls no X API.
 */
export type AuthKind = 'app' | 'user' | 'none'

export interface Command {
  name: string
  summary: string
  description?: string
  args?: ArgSpec[]
  options?: Options
  /** What the usage line shows after the command's name, when the arguments and required options do not say it all. */
  synopsis?: string
  auth: AuthKind
  examples: string[]
  run (context: Context): Promise<number>
}

export interface Group {
  name: string
  summary: string
  children: Array<Group | Command>
}

export function isGroup (node: Group | Command): node is Group {
  return 'children' in node
}

export const COMMON_OPTIONS: Options = {
  help: { type: 'boolean', short: 'h', description: 'Show help (for this command: x-webhooks COMMAND --help)' },
  json: { type: 'boolean', description: 'Print the result as JSON on stdout, errors as JSON on stderr' }
}

export const API_OPTIONS: Options = {
  'bearer-token': { type: 'string', value: 'TOKEN', env: 'X_BEARER_TOKEN', description: 'The app-only bearer token' },
  'base-url': { type: 'string', value: 'URL', env: 'X_API_BASE_URL', description: 'Where X\'s API is (default https://api.x.com; the emulator, a proxy)' },
  timeout: { type: 'string', value: 'MS', description: 'Milliseconds before a request is abandoned (default 10000)' },
  'retry-on-rate-limit': { type: 'boolean', description: 'On a 429, wait until the rate limit resets and try once more' },
  'allow-insecure-url': { type: 'boolean', description: 'Accept http: and explicit ports in webhook URLs (the emulator\'s receivers)' }
}

export const USER_OPTIONS: Options = {
  'user-token': { type: 'string', value: 'TOKEN', env: 'X_USER_TOKEN', description: 'The user\'s OAuth 2.0 access token' },
  'consumer-key': { type: 'string', value: 'KEY', env: 'X_CONSUMER_KEY', description: 'OAuth 1.0a: the app\'s consumer key (API key)' },
  'consumer-secret': { type: 'string', value: 'SECRET', env: 'X_CONSUMER_SECRET', description: 'OAuth 1.0a: the app\'s consumer secret (API secret key)' },
  'access-token': { type: 'string', value: 'TOKEN', env: 'X_ACCESS_TOKEN', description: 'OAuth 1.0a: the user\'s access token' },
  'access-token-secret': { type: 'string', value: 'SECRET', env: 'X_ACCESS_TOKEN_SECRET', description: 'OAuth 1.0a: the user\'s access token secret' }
}

/** Every option a command accepts: its own, then the shared ones its kind of authentication brings. */
export function optionsOf (command: Command): Options {
  const shared = command.auth === 'none' ? {} : command.auth === 'app' ? API_OPTIONS : { ...API_OPTIONS, ...USER_OPTIONS }
  return { ...command.options, ...shared, ...COMMON_OPTIONS }
}
