import type { NoAccountData, Templates } from '../types.ts'
import { en } from './en.ts'
import { ru } from './ru.ts'

export const noAccount: Templates<NoAccountData> = { en, ru }
