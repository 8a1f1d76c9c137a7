import helmet from '@fastify/helmet'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

/**
 * DESIGN §7: pages load only our own stylesheet, post only to us, cannot be
 * framed and leak no token through Referer. Only these headers, and only on
 * pages: the JSON routes need none of them, so helmet is not global.
 */
export async function registerPageHeaders(app: FastifyInstance) {
  await app.register(helmet, {
    global: false,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
    xContentTypeOptions: true,
    xFrameOptions: { action: 'deny' },
    crossOriginEmbedderPolicy: false,
    crossOriginOpenerPolicy: false,
    crossOriginResourcePolicy: false,
    originAgentCluster: false,
    strictTransportSecurity: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
  })
}

export function renderPage(reply: FastifyReply, view: string, data: Record<string, unknown>, status = 200) {
  reply.helmet()
  // A page may carry a link token or an address: never kept by a browser or proxy cache.
  const { APP_NAME, APP_URL } = reply.server.env
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .view(view, { appName: APP_NAME, appUrl: APP_URL ?? null, ...data })
}

/** A form posted from one of our pages gets a page back; anything else gets JSON. */
export function wantsPage(request: FastifyRequest): boolean {
  return (request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')
}
