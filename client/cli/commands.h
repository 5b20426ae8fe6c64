/*
 * The spona CLI's commands, as the server's dispatch table: one struct command
 * per command (name, help, its own options and operands, handler). A group
 * ("protocol", "person") has a table of subcommands instead of a handler; a
 * command may have both ("emergency CASE_ID", "emergency review"), a first word
 * that names none of its subcommands then being its own operand.
 * Each cmd_*.c file defines the commands of one subject; commands.c lists the
 * top-level ones. Adding a command is one definition and one function in a
 * cmd_*.c file, and one row (in commands.c or in its group's table).
 */
#ifndef SPONA_CLI_COMMANDS_H
#define SPONA_CLI_COMMANDS_H

#include <stdio.h>

#include "args.h"
#include "settings.h"

struct command {
    const char *name;        /* "ping"; in a group's table the second word ("import") */
    const char *summary;     /* one line for `spona --help` */
    const char *help;        /* `spona ... --help`: usage line, what it does, its own options */
    const char *help_notes[3]; /* more option lines shared by commands (below), after help */
    unsigned flags;          /* enum settings_flag flags it accepts (login's --user ...) */
    const struct args_option *options; /* its own options (name NULL ends); may be NULL */
    const char *operands;    /* names of its operands for messages ("PERSON_ID"); may be NULL */
    size_t min_operands, max_operands;
    const struct command *const *subcommands; /* a group: NULL-terminated; else NULL */
    int (*run)(const struct settings *settings, const struct args *args); /* exit code;
                                                     NULL for a group without its own */
};

/*
 * Option lines that several commands' help shares, printed after a command's own
 * help (help_notes), each a whole string of the catalogs.
 */
extern const char commands_help_idempotency[]; /* --idempotency-key, which every write takes */
extern const char commands_help_case_version[]; /* --version and --fresh of case advance, close and reopen */
extern const char commands_help_person_fields[]; /* the fields of person add and update */
extern const char commands_help_referral_version[]; /* --version and --fresh of referral decline and complete */
extern const char commands_help_plan_change[]; /* the options every plan change takes (then the idempotency key) */

/* The top-level command called name, or NULL. */
const struct command *commands_find(const char *name);

/* The subcommand of group called name, or NULL. */
const struct command *commands_find_sub(const struct command *group, const char *name);

/* Writes `spona --help`. */
void commands_print_usage(FILE *out);

/* Writes `spona PATH --help` (path: "person show"). */
void commands_print_help(const struct command *command, const char *path, FILE *out);

/* The commands, defined in the cmd_*.c files. */
extern const struct command command_ping;        /* cmd_ping.c */
extern const struct command command_login;       /* cmd_session.c */
extern const struct command command_whoami;
extern const struct command command_logout;
extern const struct command command_protocol;    /* cmd_protocol.c: import, show */
extern const struct command command_person;      /* cmd_person.c: add, show, update, search,
                                                    household, benefit */
extern const struct command command_case;        /* cmd_case.c: open, show, exclude, and: */
extern const struct command command_case_advance; /* cmd_lifecycle.c */
extern const struct command command_case_close;
extern const struct command command_case_reopen;
extern const struct command command_refer;       /* cmd_case.c */
extern const struct command command_referral;    /* accept, and: */
extern const struct command command_referral_decline; /* cmd_referral.c */
extern const struct command command_referral_complete;
extern const struct command command_inbox;
extern const struct command command_overdue;
extern const struct command command_assess;      /* cmd_assess.c */
extern const struct command command_assessment;  /* show */
extern const struct command command_plan;        /* cmd_plan.c: add-goal, add-measure,
                                                    set-status, show, print */
extern const struct command command_conference;  /* cmd_records.c */
extern const struct command command_note;
extern const struct command command_outcome;     /* and its subcommand follow-up */
extern const struct command command_timeline;    /* cmd_timeline.c */
extern const struct command command_emergency;   /* and its subcommand review: */
extern const struct command command_emergency_review; /* cmd_audit.c */
extern const struct command command_consent;     /* cmd_consent.c: grant, withdraw, list */
extern const struct command command_explain;     /* cmd_audit.c */
extern const struct command command_disclosures;
extern const struct command command_audit;       /* verify */
extern const struct command command_report;      /* cmd_report.c */
extern const struct command command_region;      /* cmd_region.c: municipality, institution */
extern const struct command command_region_cert; /* cmd_region_cert.c */
extern const struct command command_region_crl;
extern const struct command command_case_list;   /* cmd_caseload.c */
extern const struct command command_directory;

#endif
