import type { Templates, VerifyEmailData } from '../types.ts'
import { en } from './en.ts'
import { ru } from './ru.ts'

export const verifyEmail: Templates<VerifyEmailData> = { en, ru }
