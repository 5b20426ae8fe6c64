/* Stub until the gettext catalogs land (issue 13, languages): marks user-visible strings. */
#define _(s) (s)
#define N_(s) (s)
