/**
 * What an operator should do about a failed connection attempt. A refused
 * login and an unreachable host need different fixes, so they get different lines.
 */
export function connectHint(error: unknown): { kind: ConnectFailure; hint: string } {
  const message = error instanceof Error ? error.message : String(error)
  if (/ACCESS.REFUSED|\b403\b/.test(message)) {
    return {
      kind: 'credentials',
      hint: 'RabbitMQ refused the login: check the credentials (user and password) in AMQP_URL',
    }
  }
  if (/NOT.ALLOWED|\b530\b/.test(message)) {
    return {
      kind: 'vhost',
      hint: 'RabbitMQ refused the virtual host: check the vhost in AMQP_URL and the user’s permissions on it',
    }
  }
  return {
    kind: 'unreachable',
    hint: 'RabbitMQ is not reachable: start one with `rabbitmq-server -detached` (Debian package rabbitmq-server) or `docker compose up -d rabbitmq`',
  }
}

export type ConnectFailure = 'credentials' | 'vhost' | 'unreachable'

/** The most useful hint of one round over every URL: a wrong password beats a host that is down. */
export function worstHint(errors: unknown[]) {
  const hints = errors.map(connectHint)
  return (
    hints.find((h) => h.kind === 'credentials') ??
    hints.find((h) => h.kind === 'vhost') ??
    hints[0] ??
    connectHint('')
  )
}
