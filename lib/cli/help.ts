// Help texts, generated from the command tree so that they cannot drift from what is parsed.
import { API_OPTIONS, COMMON_OPTIONS, isGroup, USER_OPTIONS, type Command, type Group, type Options } from './command.js'

const EXIT_CODES = [
  'Exit codes:',
  '  0  success; crc-check: valid',
  '  1  X answered with an error, or no: webhooks validate (still invalid), subscriptions aaa check (not',
  '     subscribed), a delete or link X did not do; crc-check: invalid',
  '  2  usage: unknown command or option, a missing or bad argument, a missing token, input X would refuse',
  '  3  X or the URL could not be reached or did not answer in time; crc-check: transient'
]

const COLUMN = 48

function usageOf (path: string[], command: Command): string {
  const args = (command.args ?? []).map(({ name, variadic }) => variadic === true ? `${name}...` : name)
  const required = Object.entries(command.options ?? {})
    .filter(([, spec]) => spec.required === true)
    .map(([name, spec]) => `--${name} ${spec.value}`)
  return ['x-webhooks', ...path, command.synopsis ?? [...args, ...required].join(' '), '[options]'].filter(Boolean).join(' ')
}

function optionLines (options: Options): string[] {
  const rows = Object.entries(options).map(([name, spec]) => {
    const flag = `${spec.short === undefined ? '    ' : `-${spec.short}, `}--${name}${spec.value === undefined ? '' : ` ${spec.value}`}`
    const env = spec.env === undefined ? '' : ` [env ${spec.env}]`
    return [flag, spec.description + env] as const
  })
  const width = Math.max(...rows.map(([flag]) => flag.length))
  return rows.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`)
}

function leaves (node: Group | Command, path: string[]): Array<{ path: string[], command: Command }> {
  return isGroup(node)
    ? node.children.flatMap((child) => leaves(child, [...path, child.name]))
    : [{ path, command: node }]
}

function commandList (group: Group, path: string[]): string[] {
  const rows = leaves(group, path).map(({ path, command }) => [usageOf(path, command).replace(/^x-webhooks |\s*\[options\]$/g, ''), command.summary])
  // A usage longer than the column gets a line of its own, so that the summaries stay in one narrow column.
  const width = Math.min(COLUMN, Math.max(...rows.map(([usage]) => (usage as string).length)))
  return rows.map(([usage, summary]) => (usage as string).length > width
    ? `  ${usage}\n  ${' '.repeat(width)}  ${summary}`
    : `  ${(usage as string).padEnd(width)}  ${summary}`)
}

/** The help of a group (the root is the group with an empty path): every command under it, one a line. */
export function groupHelp (group: Group, path: string[]): string {
  const root = path.length === 0
  const lines = [
    root ? 'x-webhooks: manage X webhooks, subscriptions and stream links; check a webhook URL the way X does.' : `x-webhooks ${path.join(' ')}: ${group.summary}`,
    '',
    `Usage: x-webhooks ${root ? '' : `${path.join(' ')} `}COMMAND [options]`,
    '',
    'Commands:',
    ...commandList(group, path),
    '',
    'Options of every command:',
    ...optionLines(COMMON_OPTIONS)
  ]
  if (root) {
    lines.push(
      '',
      'Options of the commands that call X (a flag wins over its environment variable):',
      ...optionLines(API_OPTIONS),
      '',
      'User context, for subscriptions aaa subscribe and check: --user-token (OAuth 2.0), or --consumer-key,',
      '--consumer-secret, --access-token and --access-token-secret (OAuth 1.0a), or their environment variables.',
      '',
      ...EXIT_CODES,
      '',
      'Examples:',
      '  export X_BEARER_TOKEN=... X_CONSUMER_SECRET=...',
      '  x-webhooks crc-check https://example.com/webhooks/x',
      '  x-webhooks webhooks create https://example.com/webhooks/x',
      '  x-webhooks webhooks list --json',
      '  x-webhooks emulator --port 0   # a local X; then x-webhooks trigger TYPE, x-webhooks listen --forward-to URL'
    )
  }
  lines.push('', `Run x-webhooks ${root ? '' : `${path.join(' ')} `}COMMAND --help for the options and examples of one command.`)
  return lines.join('\n') + '\n'
}

export function commandHelp (command: Command, path: string[]): string {
  const lines = [`Usage: ${usageOf(path, command)}`, '', command.summary + '.']
  if (command.description !== undefined) lines.push('', command.description)
  if (command.options !== undefined) lines.push('', 'Options:', ...optionLines(command.options))
  if (command.auth !== 'none') lines.push('', 'Calling X (a flag wins over its environment variable):', ...optionLines(API_OPTIONS))
  if (command.auth === 'user') {
    lines.push('', 'The user\'s token: --user-token (OAuth 2.0), or all four OAuth 1.0a values (used when an OAuth 1.0a flag is', 'given, or when there is no --user-token or X_USER_TOKEN):', ...optionLines(USER_OPTIONS))
  }
  lines.push('', 'Output:', ...optionLines(COMMON_OPTIONS), '', ...EXIT_CODES, '', 'Examples:', ...command.examples.map((example) => `  ${example}`))
  return lines.join('\n') + '\n'
}
