/*
 * JMBG, the 13-digit personal identification number of the former Yugoslav
 * states: DD MM YYY RR BBB K. Checks the control digit, the date and the
 * region code, and derives the birth date and sex. Pure logic.
 */
#ifndef SPONA_JMBG_H
#define SPONA_JMBG_H

#include <stddef.h>

enum jmbg_mode {
    JMBG_STRICT,  /* a control remainder of 10 is invalid */
    JMBG_LENIENT, /* ... accepted with control digit 0, with a warning */
};

struct jmbg_info {
    int year, month, day;
    char sex;       /* 'M' (BBB 000-499) or 'F' (500-999) */
    int region;     /* RR */
    int lenient;    /* accepted only because of JMBG_LENIENT */
};

/*
 * Returns 0 when valid (info filled when not NULL), or -1 with a message in err
 * naming the part that is wrong: length/digits, date, region or control digit.
 */
int jmbg_check(const char *jmbg, enum jmbg_mode mode, struct jmbg_info *info, char *err,
               size_t err_size);

#endif
