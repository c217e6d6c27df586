import t from 'tap'
import { crcResponseToken, isCrcToken, signPayload, verifySignature } from '../lib/index.js'

// Test vectors from X's documentation (secret `test`).
const CRC_VECTOR = { token: 'challenge_string', response: 'sha256=SYYKwb5URQ4OnNXL3KWDH9ph6EIaP+4PTQFxLk5FIK4=' }
const BODY_VECTORS = [
  { body: 'test=1&other_test=2', signature: 'sha256=25Cu3iwbbiqBTwQRzcKJZwisjf736V2Q8UaTlkfLSoc=' },
  { body: '{"test_number":1,"test_string":"two"}', signature: 'sha256=YWHphPn/JFq43jkF0y4/w8R/SelmLjvpunhVFY8JhlI=' }
]

t.test('crcResponseToken answers X\'s documented test vector', async (t) => {
  t.equal(crcResponseToken(CRC_VECTOR.token, 'test'), CRC_VECTOR.response)
})

t.test('crcResponseToken refuses to sign anything not shaped like a CRC token', async (t) => {
  const body = '{"for_user_id":"1","follow_events":[]}'
  for (const token of [body, 'short', 'x'.repeat(257), 'has space here', 'semi;colon;', '', 'ünïcödé-token']) {
    t.throws(() => crcResponseToken(token, 'test'), { code: 'FST_XWH_INVALID_CRC_TOKEN' }, JSON.stringify(token))
  }
})

t.test('isCrcToken accepts token-shaped values of 8 to 256 characters', async (t) => {
  for (const token of ['challenge_string', 'abcd1234', 'A+/-_=09', 'x'.repeat(256)]) t.ok(isCrcToken(token), token)
  for (const token of ['abc1234', 'x'.repeat(257), 'a b c d e', undefined, 42, ['challenge_string']]) t.notOk(isCrcToken(token), String(token))
})

t.test('signPayload and verifySignature agree with X\'s body test vectors, for strings and bytes', async (t) => {
  for (const { body, signature } of BODY_VECTORS) {
    t.equal(signPayload(body, 'test'), signature)
    t.equal(signPayload(Buffer.from(body), 'test'), signature)
    t.ok(verifySignature(Buffer.from(body), signature, 'test'))
    t.ok(verifySignature(body, signature, ['test']))
  }
})

t.test('verifySignature is over the exact bytes: re-serialised JSON does not verify', async (t) => {
  const { body, signature } = BODY_VECTORS[1] as { body: string, signature: string }
  t.notOk(verifySignature(JSON.stringify(JSON.parse(body), null, 1), signature, 'test'))
  t.notOk(verifySignature(`${body} `, signature, 'test'))
})

t.test('verifySignature accepts any secret of a rotation, and only those', async (t) => {
  const raw = Buffer.from('{"a":1}')
  t.ok(verifySignature(raw, signPayload(raw, 'new'), ['old', 'new']))
  t.ok(verifySignature(raw, signPayload(raw, 'old'), ['old', 'new']))
  t.notOk(verifySignature(raw, signPayload(raw, 'other'), ['old', 'new']))
  t.notOk(verifySignature(raw, signPayload(raw, ''), ['', 'old']), 'an empty secret never verifies')
  t.notOk(verifySignature(raw, signPayload(raw, 'old'), []))
})

t.test('verifySignature returns false, never throws, on malformed headers', async (t) => {
  const raw = Buffer.from('{"a":1}')
  const good = signPayload(raw, 'test')
  const malformed: unknown[] = [
    undefined, null, 42, '', 'sha256=', good.slice(7), `sha1=${good.slice(7)}`, `SHA256=${good.slice(7)}`,
    good.slice(0, -2), `${good}AA`, `${good.slice(0, -1)}!`, 'sha256=' + '!'.repeat(44),
    'sha256=' + Buffer.alloc(16).toString('base64'), 'sha256=' + Buffer.alloc(64).toString('base64'),
    [good], [good, good], `${good}, ${good}`, ` ${good}`, good.replace('sha256=', 'sha256= ')
  ]
  for (const header of malformed) t.equal(verifySignature(raw, header, 'test'), false, JSON.stringify(header))
})

t.test('verifySignature accepts only the canonical spelling of a signature', async (t) => {
  const raw = Buffer.from('{"a":1}')
  const good = signPayload(raw, 'test')
  const last = good.at(-2) as string
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
  // Same decoded bytes, other unused bits: the three other characters of the last character's group of four.
  const base = alphabet.indexOf(last) & ~3
  for (const variant of [0, 1, 2, 3].map((offset) => alphabet[base + offset]).filter((c) => c !== last)) {
    const spelled = `${good.slice(0, -2)}${variant}=`
    t.ok(Buffer.from(spelled.slice(7), 'base64').equals(Buffer.from(good.slice(7), 'base64')), 'decodes to the same bytes')
    t.notOk(verifySignature(raw, spelled, 'test'), spelled)
  }
})
