export * from './mail-job.ts'
export * from './metrics.ts'
export * from './receipt.ts'
export * from './topology.ts'
