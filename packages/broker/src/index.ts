// Handlers see amqplib's message type; re-exported so apps need no amqplib import of their own.
export type { ConsumeMessage, MessagePropertyHeaders } from 'amqplib'
export * from './broker.ts'
export type { BrowsedMessage } from './browse.ts'
export * from './env.ts'
export { assertTopology } from './topology.ts'
export type { BrokerLogger, BrokerOptions, MessageHandler, Settle } from './types.ts'
export { PublishError } from './types.ts'
export * from './urls.ts'
