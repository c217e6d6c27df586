import createError from '@fastify/error'

// Every error a user can see carries a stable `code`; assert on it, never on the message. Messages say what went
// wrong and how to fix it, and never include a secret, a token or a request body.

export const FST_XWH_INVALID_OPTION = createError<'FST_XWH_INVALID_OPTION', 500, [string, string]>(
  'FST_XWH_INVALID_OPTION',
  'fastify-x-webhooks: invalid option "%s": %s',
  500,
  TypeError
)

export const FST_XWH_MISSING_CRC_TOKEN = createError(
  'FST_XWH_MISSING_CRC_TOKEN',
  'A CRC request must carry a crc_token query parameter',
  400
)

export const FST_XWH_INVALID_CRC_TOKEN = createError(
  'FST_XWH_INVALID_CRC_TOKEN',
  'The crc_token is not shaped like an X CRC token (8 to 256 characters from A-Z a-z 0-9 + / - _ =); it was not signed',
  400
)

export const FST_XWH_MISSING_SIGNATURE = createError<'FST_XWH_MISSING_SIGNATURE', 401, [string]>(
  'FST_XWH_MISSING_SIGNATURE',
  'The request has no %s header; X signs every delivery',
  401
)

export const FST_XWH_INVALID_SIGNATURE = createError<'FST_XWH_INVALID_SIGNATURE', 401, [string]>(
  'FST_XWH_INVALID_SIGNATURE',
  'The %s header does not match the body for any configured consumer secret',
  401
)

export const FST_XWH_UNSUPPORTED_MEDIA_TYPE = createError(
  'FST_XWH_UNSUPPORTED_MEDIA_TYPE',
  'X deliveries are application/json',
  415
)

export const FST_XWH_INVALID_BODY = createError(
  'FST_XWH_INVALID_BODY',
  'The body is not valid UTF-8 JSON',
  400
)

export const FST_XWH_HANDLER_FAILED = createError(
  'FST_XWH_HANDLER_FAILED',
  'A handler failed; X will deliver the event again',
  500
)

export const FST_XWH_SHUTTING_DOWN = createError(
  'FST_XWH_SHUTTING_DOWN',
  'The server is shutting down; X will deliver the event again',
  503
)

export const FST_XWH_INVALID_ROUTING_KEY = createError<'FST_XWH_INVALID_ROUTING_KEY', 500, [unknown, string]>(
  'FST_XWH_INVALID_ROUTING_KEY',
  'Invalid routing key %j: %s',
  500,
  TypeError
)

export const FST_XWH_ALREADY_REGISTERED = createError(
  'FST_XWH_ALREADY_REGISTERED',
  'fastify-x-webhooks is already registered in this scope (app.x exists); register it once per scope, or wrap each registration in its own plugin to serve several X apps',
  500
)
