import Fastify from 'fastify'
import t from 'tap'
import xWebhooks from '../lib/index.js'

async function register (options: Record<string, unknown>): Promise<void> {
  const app = Fastify()
  try {
    await app.register(xWebhooks, options as never)
  } finally {
    await app.close()
  }
}

t.test('a missing or empty consumerSecret fails registration with a message that says how to fix it', async (t) => {
  for (const consumerSecret of [undefined, '', [], [''], ['ok', ''], 42, null, ['ok', 7]]) {
    await t.rejects(register({ consumerSecret }), { code: 'FST_XWH_INVALID_OPTION', message: /consumerSecret.*(secret|X app)/ }, JSON.stringify(consumerSecret))
  }
})

t.test('a secret with surrounding white space is refused: it is a loading mistake, not a secret', async (t) => {
  for (const consumerSecret of ['secret\n', ' secret', ['ok', 'secret\t']]) {
    await t.rejects(register({ consumerSecret }), { code: 'FST_XWH_INVALID_OPTION', message: /white space/ })
  }
})

t.test('every other option is checked', async (t) => {
  const bad: Array<[string, unknown]> = [
    ['path', 'webhooks'], ['path', '/a?b=1'], ['path', '/hooks/:id'], ['path', '/hooks/*'], ['path', 5],
    ['bodyLimit', 0], ['bodyLimit', -1], ['bodyLimit', 1.5], ['bodyLimit', '1mb'],
    ['handlerTimeout', 0], ['handlerTimeout', Infinity], ['handlerTimeout', '8s'],
    ['ack', 'later'], ['ack', true],
    ['signatureHeader', 'bad header'], ['signatureHeader', ''], ['signatureHeader', 1]
  ]
  for (const [name, value] of bad) {
    await t.rejects(register({ consumerSecret: 's', [name]: value }), { code: 'FST_XWH_INVALID_OPTION', message: new RegExp(`"${name}"`) }, `${name}=${String(value)}`)
  }
})

t.test('valid options register', async (t) => {
  await register({ consumerSecret: ['new', 'old'], path: '/x/hook', bodyLimit: 10, handlerTimeout: 1, ack: 'immediate', signatureHeader: 'X-Custom-Signature' })
  t.pass()
})

t.test('registering twice in one scope fails loudly instead of silently replacing app.x', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  app.register(xWebhooks, { consumerSecret: 'a' })
  app.register(xWebhooks, { consumerSecret: 'b', path: '/other' })
  await t.rejects(async () => { await app.ready() }, { code: 'FST_XWH_ALREADY_REGISTERED' })
})

t.test('separate scopes can each serve their own X app', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  app.register(async (scope) => { await scope.register(xWebhooks, { consumerSecret: 'a', path: '/a' }) })
  app.register(async (scope) => { await scope.register(xWebhooks, { consumerSecret: 'b', path: '/b' }) })
  await app.ready()
  t.equal((await app.inject('/a?crc_token=challenge_string')).statusCode, 200)
  t.equal((await app.inject('/b?crc_token=challenge_string')).statusCode, 200)
})
