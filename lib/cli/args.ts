// Arguments: find the command in the tree, then parse strictly with exactly the options that command accepts.
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { COMMON_OPTIONS, isGroup, optionsOf, type Command, type Group, type Options } from './command.js'

/** A command line that cannot run as written; exit code 2. `help` names the help to read. */
export class UsageError extends Error {
  override name = 'UsageError'
  constructor (message: string, readonly help = 'x-webhooks --help') {
    super(message)
  }
}

export type Values = Record<string, string | boolean | undefined>

export type Parsed =
  | { kind: 'group', group: Group, path: string[], help: boolean, rest: string[] }
  | { kind: 'command', command: Command, path: string[], values: Values, args: string[] }

function parserOptions (options: Options): NonNullable<ParseArgsConfig['options']> {
  return Object.fromEntries(Object.entries(options).map(([name, { type, short }]) =>
    [name, short === undefined ? { type } : { type, short }]))
}

/** Every option of every command, so that a first, lenient pass can tell option values from command words. */
function allOptions (node: Group | Command): Options {
  return isGroup(node) ? Object.assign({}, ...node.children.map(allOptions)) : optionsOf(node)
}

export function parse (root: Group, argv: string[]): Parsed {
  // `x-webhooks help webhooks create` is `x-webhooks webhooks create --help`.
  const args = argv[0] === 'help' ? [...argv.slice(1), '--help'] : argv
  const lenient = parseArgs({ args, options: parserOptions({ ...allOptions(root), ...COMMON_OPTIONS }), strict: false, allowPositionals: true })
  let node: Group | Command = root
  const path: string[] = []
  for (const word of lenient.positionals) {
    if (!isGroup(node)) break
    const child: Group | Command | undefined = node.children.find((candidate) => candidate.name === word)
    if (child === undefined) break
    node = child
    path.push(word)
  }
  if (isGroup(node)) {
    return { kind: 'group', group: node, path, help: lenient.values.help === true, rest: lenient.positionals.slice(path.length) }
  }
  const help = `x-webhooks ${path.join(' ')} --help`
  let strict
  try {
    strict = parseArgs({ args, options: parserOptions(optionsOf(node)), strict: true, allowPositionals: true })
  } catch (error) {
    // Node's messages go on to explain `--`; the first sentence is the one that matters here.
    throw new UsageError(String((error as Error).message).split(/\.\s/)[0] as string, help)
  }
  return { kind: 'command', command: node, path, values: strict.values as Values, args: strict.positionals.slice(path.length) }
}

/** Checks the positional arguments and required options of a command that is about to run. */
export function checkArguments (command: Command, path: string[], values: Values, args: string[]): void {
  const help = `x-webhooks ${path.join(' ')} --help`
  const specs = command.args ?? []
  const missing = specs.slice(args.length)[0]
  if (missing !== undefined) throw new UsageError(`missing ${missing.name}`, help)
  const variadic = specs.at(-1)?.variadic === true
  if (!variadic && args.length > specs.length) throw new UsageError(`unexpected argument "${args[specs.length]}"`, help)
  for (const [name, spec] of Object.entries(command.options ?? {})) {
    if (spec.required === true && values[name] === undefined) throw new UsageError(`missing --${name} ${spec.value}`, help)
  }
}
