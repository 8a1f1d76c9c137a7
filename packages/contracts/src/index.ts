export * from './mail-job.ts'
export * from './receipt.ts'
export * from './topology.ts'
