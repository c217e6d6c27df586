// The CLI as a function: arguments and streams in, an exit code out. main.ts wires it to the process.
import { checkArguments, parse, UsageError } from './args.js'
import { EXIT, type Group } from './command.js'
import { Context } from './context.js'
import { crcCheck } from './crc-check.js'
import { emulator } from './emulator.js'
import { describe } from './failures.js'
import { commandHelp, groupHelp } from './help.js'
import { listen } from './listen.js'
import { Output, type CliIo } from './output.js'
import { recoverCommand } from './recover.js'
import { stream } from './stream.js'
import { subscriptions } from './subscriptions.js'
import { trigger } from './trigger.js'
import { webhooks } from './webhooks.js'

export type { CliIo } from './output.js'
export { EXIT } from './command.js'

export const commands: Group = { name: 'x-webhooks', summary: 'X webhooks from the command line', children: [webhooks, subscriptions, stream, recoverCommand, crcCheck, emulator, trigger, listen] }

/** Runs one command line (without the node and script arguments) and resolves to the exit code; never rejects. */
export async function run (argv: string[], io: CliIo): Promise<number> {
  const out = new Output(io, argv.includes('--json'))
  try {
    const parsed = parse(commands, argv)
    const { path } = parsed
    if (parsed.kind === 'group') {
      const name = ['x-webhooks', ...path].join(' ')
      if (parsed.rest.length > 0) throw new UsageError(`unknown command "${[...path, parsed.rest[0]].join(' ')}"`, `${name} --help`)
      if (!parsed.help) {
        throw new UsageError(`${name} needs a command: ${parsed.group.children.map((child) => child.name).join(', ')}`, `${name} --help`)
      }
      out.text(groupHelp(parsed.group, path))
      return EXIT.ok
    }
    const { command, values, args } = parsed
    if (values.help === true) {
      out.text(commandHelp(command, path))
      return EXIT.ok
    }
    checkArguments(command, path, values, args)
    return await command.run(new Context(command, path, values, args, out, io))
  } catch (error) {
    const { failure, exitCode } = describe(error)
    out.failure(failure)
    return exitCode
  }
}
