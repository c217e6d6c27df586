// X's failure answers: problem JSON with X's reason, which the client's XApiError reads.
import type { FastifyReply } from 'fastify'

const TYPES = {
  400: 'invalid-request',
  404: 'resource-not-found',
  409: 'invalid-request'
}

export function problem (reply: FastifyReply, status: keyof typeof TYPES, reason: string, detail: string): FastifyReply {
  return reply.code(status).type('application/json').send({
    title: reason,
    detail,
    type: `https://api.x.com/2/problems/${TYPES[status]}`,
    reason,
    status
  })
}

export function unauthorized (reply: FastifyReply): FastifyReply {
  return reply.code(401).send({ title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' })
}
