/* Stub until the i18n branch lands (docs/i18n.md there): marks user-visible strings. */
#define _(s) (s)
#define N_(s) (s)
