import { spawnSync } from 'node:child_process'

/** The CPUs this process may run on (taskset's affinity list), or undefined without taskset. */
export function allowedCpus (): number[] | undefined {
  const result = spawnSync('taskset', ['-pc', String(process.pid)], { encoding: 'utf8' })
  if (result.status !== 0) return undefined
  const list = result.stdout.split(':').at(-1)?.trim() ?? ''
  return list.split(',').flatMap((part) => {
    const [from, to = from] = part.split('-').map(Number) as [number, number?]
    return Array.from({ length: (to as number) - from + 1 }, (_, i) => from + i)
  })
}
