/*
 * banned.h - functions that are too easy to misuse.  Include it after the
 * system headers in a .c file to make any use a compile error; the test
 * `banned_functions` (tests/cli/banned.sh) also greps the whole of src/ so a
 * file that forgets the include is still caught.
 */
#ifndef TD_BASE_BANNED_H
#define TD_BASE_BANNED_H

#define TD_BANNED(func) sorry_##func##_is_banned_in_tongdai

#undef strcpy
#define strcpy(x, y) TD_BANNED(strcpy)
#undef strcat
#define strcat(x, y) TD_BANNED(strcat)
#undef sprintf
#define sprintf(...) TD_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) TD_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) TD_BANNED(strtok)
#undef gets
#define gets(x) TD_BANNED(gets)

#endif
