/* Stub until the i18n branch lands (issue 13): marks user-visible strings for gettext. */
#ifndef SPONA_I18N_H
#define SPONA_I18N_H
#define _(s) (s)
#define N_(s) (s)
#endif
