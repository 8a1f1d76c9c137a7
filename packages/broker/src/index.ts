export * from './broker.ts'
export { assertTopology } from './topology.ts'
export * from './urls.ts'
