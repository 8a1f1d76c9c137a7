import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { docsSecurity } from '../http/docs-headers.ts'

/** Where app.ts registers the JSON auth routes a second time, for SPA clients. */
export const AUTH_ALIAS_PREFIX = '/api/v1/auth'

const TAGS = [
  { name: 'registration', description: 'Sign-up, confirmation of the address, password links' },
  { name: 'sessions', description: "Sign-in, token refresh, sign-out, the account's signed-in devices" },
  { name: 'account', description: "The signed-in user's own profile, data export and deletion" },
  { name: 'users', description: 'User management (admins; users for their own id)' },
  { name: 'suppressions', description: 'Addresses no mail goes to: bounces, complaints, refusals' },
  { name: 'pages', description: 'HTML pages the mails link to' },
  { name: 'operations', description: 'Probes, metrics and this document' },
]

/** The JSON auth routes answer at the root and under the alias prefix. */
const ALIAS_SERVERS = [
  { url: '/', description: 'this authmail (PUBLIC_BASE_URL)' },
  { url: AUTH_ALIAS_PREFIX, description: 'the same route, for SPA clients' },
]

interface Operation {
  servers?: unknown
  responses?: Record<string, { content?: unknown }>
}

/** `POST /verify-email/:token` → `postVerifyEmailToken`: unique, stable, readable. */
function operationId(method: string, url: string): string {
  const words = url
    .replace(/[:{}]/g, '')
    .split(/[^a-zA-Z0-9]+/)
    .filter(Boolean)
  return method.toLowerCase() + words.map((w) => w[0]?.toUpperCase() + w.slice(1)).join('')
}

/**
 * One OpenAPI document, served at /openapi.json and shown at /docs. The
 * `/api/v1/auth` copies of the auth routes are not listed again: their paths
 * carry a second server instead.
 */
export async function registerOpenapi(app: FastifyInstance) {
  const aliased = new Set<string>()
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith(`${AUTH_ALIAS_PREFIX}/`)) return
    for (const method of [route.method].flat())
      aliased.add(`${method} ${route.url.slice(AUTH_ALIAS_PREFIX.length)}`)
  })

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'authmail',
        version: '0.1.0',
        description:
          'Registration with e-mail confirmation, password links, sessions and user administration. ' +
          `The JSON auth routes also answer under \`${AUTH_ALIAS_PREFIX}\` (the second server of their paths). ` +
          'Every JSON error has the envelope `{"error":{"code","message","field","details"}}`.',
        license: { name: 'MIT', url: 'https://opensource.org/licenses/MIT' },
      },
      servers: [{ url: '/', description: 'this authmail (PUBLIC_BASE_URL)' }],
      tags: TAGS,
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description: 'The access token from POST /login or POST /token/refresh',
          },
          bounceSecret: {
            type: 'http',
            scheme: 'bearer',
            description: 'BOUNCE_WEBHOOK_SECRET, for the bounce intake only',
          },
        },
      },
    },
    transform: (document) => {
      if (document.url.startsWith(`${AUTH_ALIAS_PREFIX}/`))
        return { schema: { hide: true }, url: document.url }
      const { schema, url } = jsonSchemaTransform(document)
      const method = String(document.route.method)
      // Routes without a bearer are public: said explicitly, so no global default can be assumed.
      return { schema: { operationId: operationId(method, url), security: [], ...schema }, url }
    },
    transformObject: (document) => {
      const object = jsonSchemaTransformObject(document) as ReturnType<typeof jsonSchemaTransformObject> & {
        paths?: Record<string, Record<string, Operation>>
      }
      for (const [path, item] of Object.entries(object.paths ?? {})) {
        const route = path.replace(/\{(\w+)\}/g, ':$1')
        for (const [method, operation] of Object.entries(item) as [string, Operation][]) {
          if (aliased.has(`${method.toUpperCase()} ${route}`)) operation.servers = ALIAS_SERVERS
          // No body: @fastify/swagger would describe the `null` these routes send as JSON.
          for (const status of ['204', '303']) delete operation.responses?.[status]?.content
        }
      }
      return object
    },
  })
  // The UI under the pages' rules: strict CSP, no framing (http/docs-headers.ts).
  await app.register(swaggerUi, { routePrefix: '/docs', ...docsSecurity })

  app.get(
    '/openapi.json',
    {
      schema: {
        summary: 'This OpenAPI document',
        tags: ['operations'],
        response: {
          200: {
            description: 'The OpenAPI 3 document of every route',
            content: { 'application/json': { schema: z.looseObject({ openapi: z.string() }) } },
          },
        },
      },
    },
    async () => app.swagger(),
  )
}
