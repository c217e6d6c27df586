import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { crcResponseToken } from '../lib/index.js'
import { build, delivery, logCapture, PATH } from './helpers.js'

const SECRET = 'Sup3rS3cretConsumerValue'
const TOKEN = 'crcTokenValue1234567890'
const PAYLOAD_MARKER = 'PAYLOAD_MARKER_TEXT'

t.test('no secret, CRC token, raw body or payload reaches a log line at info level or above', async (t) => {
  const logs = logCapture()
  const app = await build(t, { consumerSecret: [SECRET, 'Sup3rS3cretOldValue'], handlerTimeout: 30 }, { logger: { level: 'trace', stream: logs.stream } })
  const item = { event_uuid: '1', event_type: 'follow.follow', filter: { user_id: '9' }, payload: { text: PAYLOAD_MARKER } }
  app.x.on('follow.follow', (event) => { if (event.product === 'xaa') throw new Error('handler failed') })
  app.x.on('widget.spin' as never, async () => { await sleep(60); throw new Error('late') })
  app.x.onError(() => { throw new Error('onError failed too') })

  await app.inject(`${PATH}?crc_token=${TOKEN}`)
  await app.inject(`${PATH}?crc_token=${encodeURIComponent(`{"x":"${PAYLOAD_MARKER}"}`)}`)
  await app.inject(`${PATH}?crc_token=${TOKEN}&crc_token=${TOKEN}`)
  t.equal((await app.inject(delivery({ data: item }, SECRET))).statusCode, 500)
  t.equal((await app.inject(delivery({ data: { ...item, event_type: 'widget.spin' } }, SECRET))).statusCode, 200)
  await app.inject(delivery(`{"broken": "${PAYLOAD_MARKER}`, SECRET))
  await app.inject(delivery({ data: item }, 'wrong secret'))
  await app.inject(delivery(`{"big":"${PAYLOAD_MARKER}${'x'.repeat(1_048_576)}"}`, SECRET))
  await sleep(100)

  const records = logs.records()
  t.ok(records.some((record) => record.msg === 'incoming request'), 'the request log is on')
  t.ok(records.some((record) => record.level === 50 && (record.err as { type?: string })?.type === 'XHandlersError'), 'failures are logged')
  t.ok(records.some((record) => record.level === 50 && /onError/.test(String(record.msg))), 'a failing onError handler is logged')
  t.ok(records.some((record) => record.level === 40 && /still running/.test(String(record.msg))), 'a timeout is logged')
  const forbidden = [SECRET, 'Sup3rS3cretOldValue', TOKEN, crcResponseToken(TOKEN, SECRET).slice(7), PAYLOAD_MARKER, 'follow_events']
  for (const line of logs.lines.filter((line) => JSON.parse(line).level >= 30)) {
    for (const secret of forbidden) t.notOk(line.includes(secret), `no ${secret.slice(0, 12)}… in ${line.slice(0, 100)}`)
  }
})
