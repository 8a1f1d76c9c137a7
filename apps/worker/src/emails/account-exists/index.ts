import type { AccountExistsData, Templates } from '../types.ts'
import { en } from './en.ts'
import { ru } from './ru.ts'

export const accountExists: Templates<AccountExistsData> = { en, ru }
