import type { SetPasswordData, Templates } from '../types.ts'
import { en } from './en.ts'
import { ru } from './ru.ts'

export const setPassword: Templates<SetPasswordData> = { en, ru }
