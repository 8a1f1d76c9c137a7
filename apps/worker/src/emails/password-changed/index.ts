import type { PasswordChangedData, Templates } from '../types.ts'
import { en } from './en.ts'
import { ru } from './ru.ts'

export const passwordChanged: Templates<PasswordChangedData> = { en, ru }
