import t from 'tap'
import { XWebhooksClient } from '../../lib/client/index.js'
import { BEARER, OAUTH1, OAUTH2 } from './stand-in.js'

t.test('the constructor checks every option and says how to fix it', async (t) => {
  const bad: Array<[string, unknown, RegExp]> = [
    ['options', undefined, /"options": expected \{ bearerToken/],
    ['options', 'token', /"options"/],
    ['bearerToken', {}, /"bearerToken": expected a non-empty string: the app-only bearer token .* process\.env\.X_BEARER_TOKEN/],
    ['bearerToken', { bearerToken: '' }, /"bearerToken"/],
    ['bearerToken', { bearerToken: 42 }, /"bearerToken"/],
    ['bearerToken', { bearerToken: `${BEARER}\n` }, /"bearerToken": the token starts or ends with white space/],
    ['baseUrl', { bearerToken: BEARER, baseUrl: 'api.x.com' }, /"baseUrl": "api\.x\.com" is not an absolute URL; e\.g\. "https:\/\/api\.x\.com"/],
    ['baseUrl', { bearerToken: BEARER, baseUrl: new URL('https://api.x.com') }, /"baseUrl": expected a URL string/],
    ['baseUrl', { bearerToken: BEARER, baseUrl: 'ftp://api.x.com' }, /"baseUrl": expected an http\(s\) URL, got ftp:/],
    ['baseUrl', { bearerToken: BEARER, baseUrl: 'https://api.x.com/?a=1' }, /"baseUrl": expected the API's root only/],
    ['baseUrl', { bearerToken: BEARER, baseUrl: 'https://api.x.com/#x' }, /"baseUrl"/],
    ['baseUrl', { bearerToken: BEARER, baseUrl: 'https://u:p@api.x.com/' }, /"baseUrl"/],
    ['userAuth', { bearerToken: BEARER, userAuth: 'token' }, /"userAuth": expected \{ userAccessToken \}/],
    ['userAuth', { bearerToken: BEARER, userAuth: { consumerKey: 'k' } }, /"userAuth": OAuth 1\.0a needs all four .* missing or empty: consumerSecret, accessToken, accessTokenSecret/],
    ['retryOnRateLimit', { bearerToken: BEARER, retryOnRateLimit: 'yes' }, /"retryOnRateLimit": expected true or false, got yes/],
    ['allowInsecureUrl', { bearerToken: BEARER, allowInsecureUrl: 1 }, /"allowInsecureUrl": expected true or false/],
    ['timeout', { bearerToken: BEARER, timeout: 0 }, /"timeout": expected a whole number of milliseconds from 1 to 2147483647, got 0/],
    ['timeout', { bearerToken: BEARER, timeout: 1.5 }, /"timeout"/],
    ['timeout', { bearerToken: BEARER, timeout: '10s' }, /"timeout"/],
    ['timeout', { bearerToken: BEARER, timeout: 2 ** 31 }, /"timeout"/],
    ['maxRateLimitWait', { bearerToken: BEARER, maxRateLimitWait: -1 }, /"maxRateLimitWait": expected a whole number of milliseconds from 0/],
    ['fetch', { bearerToken: BEARER, fetch: 'fetch' }, /"fetch": expected a function/]
  ]
  for (const [name, options, message] of bad) {
    t.throws(() => new XWebhooksClient(options as never), { code: 'FST_XWH_INVALID_OPTION', name: 'FastifyError', message }, `${name}: ${JSON.stringify(options)}`)
  }
})

t.test('valid options make a client with the four groups', async (t) => {
  for (const options of [
    { bearerToken: BEARER },
    { bearerToken: BEARER, baseUrl: 'http://127.0.0.1:8787', userAuth: OAUTH1, retryOnRateLimit: true, timeout: 1, maxRateLimitWait: 0, allowInsecureUrl: false, fetch },
    { bearerToken: BEARER, baseUrl: 'https://proxy.example.com/x-api/', userAuth: OAUTH2 }
  ]) {
    const client = new XWebhooksClient(options)
    for (const group of ['webhooks', 'aaa', 'xaa', 'stream'] as const) t.type(client[group], 'object')
  }
})
