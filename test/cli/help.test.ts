import t from 'tap'
import { isGroup, type Command, type Group } from '../../lib/cli/command.js'
import { commands } from '../../lib/cli/run.js'
import { cli } from './helpers.js'

function leaves (node: Group | Command, path: string[] = []): string[][] {
  return isGroup(node) ? node.children.flatMap((child) => leaves(child, [...path, child.name])) : [path]
}

function groups (node: Group | Command, path: string[] = []): string[][] {
  return isGroup(node) ? [path, ...node.children.flatMap((child) => groups(child, [...path, child.name]))] : []
}

t.test('--help, -h and help: every command, the shared options, the exit codes, examples', async (t) => {
  for (const argv of [['--help'], ['-h'], ['help']]) {
    const result = await cli(argv)
    t.equal(result.code, 0, argv.join(' '))
    t.equal(result.stderr, '')
    t.match(result.stdout, /^x-webhooks: manage X webhooks, subscriptions and stream links; check a webhook URL the way X does\.\n\nUsage: x-webhooks COMMAND \[options\]\n/)
    for (const path of leaves(commands)) t.match(result.stdout, `\n  ${path.join(' ')}`)
    t.match(result.stdout, /--bearer-token TOKEN +The app-only bearer token \[env X_BEARER_TOKEN\]/)
    t.match(result.stdout, [
      'Exit codes:',
      '  0  success; crc-check: valid',
      '  1  X answered with an error, or no: webhooks validate (still invalid), subscriptions aaa check (not',
      '     subscribed), a delete or link X did not do; crc-check: invalid',
      '  2  usage: unknown command or option, a missing or bad argument, a missing token, input X would refuse',
      '  3  X or the URL could not be reached or did not answer in time; crc-check: transient'
    ].join('\n'))
    t.match(result.stdout, 'Examples:\n  export X_BEARER_TOKEN=')
  }
  t.match((await cli(['--help'])).stdout, /\n {2}webhooks replay --webhook-id ID --from ISO --to ISO\n {52}Re-deliver a window of the last 24 hours\n/)
})

t.test('every group has its help, listing its commands', async (t) => {
  for (const path of groups(commands).slice(1)) {
    for (const argv of [[...path, '--help'], ['help', ...path]]) {
      const result = await cli(argv)
      t.equal(result.code, 0, argv.join(' '))
      t.match(result.stdout, new RegExp(`^x-webhooks ${path.join(' ')}: .*\n\nUsage: x-webhooks ${path.join(' ')} COMMAND \\[options\\]\n`), argv.join(' '))
      t.match(result.stdout, `Run x-webhooks ${path.join(' ')} COMMAND --help for the options and examples of one command.\n`)
      t.notMatch(result.stdout, /Exit codes/)
    }
  }
})

t.test('every command has its help: usage, options, where tokens come from, exit codes, examples', async (t) => {
  for (const path of leaves(commands)) {
    for (const argv of [[...path, '--help'], [...path, '-h'], ['help', ...path], [...path, 'ARG', '--json', '--help']]) {
      const result = await cli(argv)
      t.equal(result.code, 0, argv.join(' '))
      t.match(result.stdout, new RegExp(`^Usage: x-webhooks ${path.join(' ')}.*\\[options\\]\n`), argv.join(' '))
      t.match(result.stdout, /\nOutput:\n.*--help.*\n.*--json/)
      t.match(result.stdout, /\nExit codes:\n/)
      t.match(result.stdout, new RegExp(`\nExamples:\n(  x-webhooks ${path.join(' ')}.*\n|  .*\n)+$`))
    }
  }
  const replay = (await cli(['webhooks', 'replay', '--help'])).stdout
  t.match(replay, /^Usage: x-webhooks webhooks replay --webhook-id ID --from ISO --to ISO \[options\]\n/)
  t.match(replay, /Calling X \(a flag wins over its environment variable\):\n.*--bearer-token TOKEN/)
  t.notMatch(replay, /--user-token/)
  const subscribe = (await cli(['subscriptions', 'aaa', 'subscribe', '--help'])).stdout
  t.match(subscribe, /^Usage: x-webhooks subscriptions aaa subscribe WEBHOOK_ID \[options\]\n/)
  t.match(subscribe, /The user's token: --user-token \(OAuth 2\.0\), or all four OAuth 1\.0a values \(used when an OAuth 1\.0a flag is\ngiven, or when there is no --user-token or X_USER_TOKEN\):\n.*--user-token TOKEN .*\[env X_USER_TOKEN\]/)
  const crc = (await cli(['crc-check', '--help'])).stdout
  t.match(crc, /^Usage: x-webhooks crc-check URL \[options\]\n/)
  t.match(crc, /valid +200 with JSON/)
  t.notMatch(crc, /--bearer-token/)
  t.match((await cli(['subscriptions', 'xaa', 'create', '--help'])).stdout, /^Usage: x-webhooks subscriptions xaa create --event-type TYPE \(--user-id USER_ID \| --keyword KEYWORD\) \[options\]\n/)
  t.match((await cli(['subscriptions', 'xaa', 'delete', '--help'])).stdout, /^Usage: x-webhooks subscriptions xaa delete ID\.\.\. \[options\]\n/)
})

t.test('usage errors: exit 2, what is wrong, which help to read', async (t) => {
  const cases: Array<[string[], string]> = [
    [[], 'x-webhooks needs a command: webhooks, subscriptions, stream, recover, crc-check, emulator, trigger, listen\nhint: see x-webhooks --help'],
    [['webhooks'], 'x-webhooks webhooks needs a command: list, create, delete, validate, replay\nhint: see x-webhooks webhooks --help'],
    [['subscriptions', 'aaa'], 'x-webhooks subscriptions aaa needs a command: subscribe, check, list, unsubscribe, count\nhint: see x-webhooks subscriptions aaa --help'],
    [['frobnicate'], 'unknown command "frobnicate"\nhint: see x-webhooks --help'],
    [['webhooks', 'frobnicate', '--help'], 'unknown command "webhooks frobnicate"\nhint: see x-webhooks webhooks --help'],
    [['--bearer-token', 'T', 'stream', 'lnks'], 'unknown command "stream lnks"\nhint: see x-webhooks stream --help'],
    [['webhooks', 'list', '--frob'], 'Unknown option \'--frob\'\nhint: see x-webhooks webhooks list --help'],
    [['webhooks', 'list', '--base-url'], 'Option \'--base-url <value>\' argument missing\nhint: see x-webhooks webhooks list --help'],
    [['webhooks', 'list', '--json=yes'], 'Option \'--json\' does not take an argument\nhint: see x-webhooks webhooks list --help'],
    [['webhooks', 'list', 'extra'], 'unexpected argument "extra"\nhint: see x-webhooks webhooks list --help'],
    [['webhooks', 'delete'], 'missing ID\nhint: see x-webhooks webhooks delete --help'],
    [['webhooks', 'delete', '1', '--timeout', '-5'], 'Option \'--timeout\' argument is ambiguous\nhint: see x-webhooks webhooks delete --help\n'],
    [['webhooks', 'delete', '1', '--timeout', '2.5', '--bearer-token', 'T'], '--timeout must be a positive whole number, not "2.5"\nhint: see x-webhooks webhooks delete --help']
  ]
  for (const [argv, stderr] of cases) {
    const result = await cli(argv)
    t.equal(result.code, 2, argv.join(' '))
    t.equal(result.stdout, '', argv.join(' '))
    t.match(result.stderr, `error: ${stderr}`, argv.join(' '))
  }
})

t.test('usage errors with --json: an object on stderr', async (t) => {
  const result = await cli(['webhooks', 'list', '--json', '--frob'])
  t.equal(result.code, 2)
  t.equal(result.stdout, '')
  t.same(result.error(), { error: { kind: 'usage', message: 'Unknown option \'--frob\'', hint: 'see x-webhooks webhooks list --help' } })
  t.same((await cli(['--json'])).error().error.kind, 'usage')
})
