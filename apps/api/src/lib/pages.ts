import type { FastifyReply, FastifyRequest } from 'fastify'

/**
 * DESIGN §7: pages load only our own stylesheet, post only to us, cannot be
 * framed, leak no token through Referer and are never cached.
 */
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
} as const

export function renderPage(reply: FastifyReply, view: string, data: Record<string, unknown>, status = 200) {
  return reply.code(status).headers(PAGE_HEADERS).view(view, data)
}

/** A form posted from one of our pages gets a page back; anything else gets JSON. */
export function wantsPage(request: FastifyRequest): boolean {
  return (request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')
}
