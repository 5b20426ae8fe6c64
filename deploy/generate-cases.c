/*
 * The case data of spona-generate-persons --events N: for the persons just
 * generated, their cases (led by the --institution, opened by one of its
 * users) and what happened in them: needs assessments, activation plan
 * versions, referrals to the municipality's partners with their answers,
 * conferences, notes, outcomes and follow-ups, and the persons' benefit
 * periods. Dates run from 2021-01-01 to --today, so that yearly trends exist.
 *
 * Every case is a pure function of (seed, person, case number): case_make
 * draws its whole story from its own random stream, so each table is one
 * pass over all cases that writes only its own rows, one COPY (one
 * transaction) per table, in foreign-key order, and a counting pass before
 * them knows every table's total for the progress display. The story keeps
 * the order of real work: assessed after opening, planned after assessing,
 * referred after planning, answers after the referral, outcomes after the
 * answers, the case closed after its final outcome, nothing after closing; a
 * person's cases follow one another, each in its own slice of the period.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generate.h"

#define CASE_MAX_PER_PERSON 6
#define CASE_MAX_ASSESSMENTS 2
#define CASE_MAX_PLANS 2
#define CASE_MAX_REFERRALS 4
#define CASE_MAX_CONFERENCES 2
#define CASE_MAX_NOTES 6
#define CASE_MAX_OUTCOMES 3
#define PERSON_MAX_BENEFITS 5
#define CASE_MEAN_ACTIVE 1.6 /* cases per person with any, before scaling */
#define DAY_NONE (-100000)

/* The tables, in the order they are written (foreign keys first). */
enum case_table {
    TABLE_BENEFITS, TABLE_CASES, TABLE_TEAM, TABLE_ASSESSMENTS, TABLE_PLANS, TABLE_REFERRALS,
    TABLE_CONFERENCES, TABLE_NOTES, TABLE_OUTCOMES, TABLE_FOLLOW_UPS, TABLE_COUNT
};

static const struct {
    const char *name;
    int is_event; /* counts as a case event (case_team is bookkeeping) */
    const char *copy;
} case_tables[TABLE_COUNT] = {
    {"person_benefits", 1,
     "COPY person_benefits (id, person_id, municipality_id, kind, since, until, amount, note,"
     " created_at) FROM STDIN"},
    {"cases", 1,
     "COPY cases (id, municipality_id, person_id, lead_institution_id, lead_user_id, stage,"
     " reason, version, opened_at, closed_at, close_reason) FROM STDIN"},
    {"case_team", 0,
     "COPY case_team (case_id, municipality_id, institution_id, via, joined_at, left_at)"
     " FROM STDIN"},
    {"assessments", 1,
     "COPY assessments (id, case_id, municipality_id, version, assessed_on, assessor,"
     " strengths, created_at) FROM STDIN"},
    {"plans", 1,
     "COPY plans (id, case_id, municipality_id, version, review_date, obligations, created_by,"
     " created_at) FROM STDIN"},
    {"referrals", 1,
     "COPY referrals (id, municipality_id, case_id, institution_id, measure, due_date, status,"
     " created_by, created_at, responded_at, version, decline_reason, result, accepted_at,"
     " declined_at, completed_at, accepted_by, answered_by) FROM STDIN"},
    {"case_conferences", 1,
     "COPY case_conferences (id, case_id, municipality_id, held_on, institution_codes,"
     " decisions, next_steps, created_by, created_at) FROM STDIN"},
    {"case_notes", 1,
     "COPY case_notes (id, case_id, municipality_id, author, institution_id, text, created_at)"
     " FROM STDIN"},
    {"outcomes", 1,
     "COPY outcomes (id, case_id, municipality_id, kind, occurred_on, employer, contract_type,"
     " pathway, note, recorded_by, institution_id, created_at) FROM STDIN"},
    {"outcome_follow_ups", 1,
     "COPY outcome_follow_ups (outcome_id, municipality_id, months, checked_on, still_employed,"
     " note, recorded_by, recorded_at) FROM STDIN"},
};

enum outcome_kind {
    OUTCOME_EMPLOYED, OUTCOME_IN_TRAINING, OUTCOME_TRAINING_COMPLETED, OUTCOME_SELF_EMPLOYED,
    OUTCOME_LEFT_BENEFITS, OUTCOME_DROPPED_OUT
};
static const char *const outcome_kinds[] = {"employed", "in_training", "training_completed",
                                            "self_employed", "left_benefits", "dropped_out"};
static const char *const pathways[] = {"integrated_case_management", "social_entrepreneurship",
                                       "other", ""};

/* A point in time: a day and a minute of the working day. */
struct moment {
    int day;
    int minute;
};

struct referral_model {
    int partner;
    struct moment created, accepted, declined, completed; /* day DAY_NONE: did not happen */
    int due_day;
};

struct outcome_model {
    enum outcome_kind kind;
    int pathway; /* index into pathways, employed only */
    struct moment at;
    int follow_ups;
    int follow_day[3];
    int still_employed[3];
};

struct case_model {
    long person;   /* global person index */
    uint64_t key;  /* global case key: person * 8 + number */
    const char *stage, *reason, *close_reason;
    struct moment opened, closed; /* closed.day DAY_NONE: open */
    int version;
    int assessments;
    struct moment assessed[CASE_MAX_ASSESSMENTS];
    int plans;
    struct moment planned[CASE_MAX_PLANS];
    int review_day[CASE_MAX_PLANS];
    int referrals;
    struct referral_model referral[CASE_MAX_REFERRALS];
    int conferences;
    int conference_day[CASE_MAX_CONFERENCES];
    int notes;
    struct moment note[CASE_MAX_NOTES];
    int outcomes;
    struct outcome_model outcome[CASE_MAX_OUTCOMES];
};

/* --- calendar --- */

static int is_leap_year(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int days_in_month(int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return days[month - 1] + (month == 2 && is_leap_year(year));
}

int generate_day_of(int year, int month, int dom)
{
    int day = 0;
    for (int y = GENERATE_EPOCH_YEAR; y < year; y++)
        day += 365 + is_leap_year(y);
    for (int m = 1; m < month; m++)
        day += days_in_month(year, m);
    return day + dom - 1;
}

void generate_date(int day, char out[16])
{
    int year = GENERATE_EPOCH_YEAR, month = 1;
    while (day < 0)
        day += 365 + is_leap_year(--year);
    while (day >= 365 + is_leap_year(year))
        day -= 365 + is_leap_year(year++);
    while (day >= days_in_month(year, month))
        day -= days_in_month(year, month++);
    snprintf(out, 16, "%04d-%02d-%02d", year % 10000, month % 100, (day + 1) % 100);
}

/* Dates are formatted often: a table of them from two years before day 0 on. */
#define DATE_TABLE_FIRST (-731)
static char (*date_table)[12];
static int date_table_size;

static int date_table_make(int today)
{
    date_table_size = today - DATE_TABLE_FIRST + 1200; /* due and review dates run ahead */
    date_table = malloc((size_t)date_table_size * sizeof(*date_table));
    if (date_table == NULL)
        return -1;
    for (int i = 0; i < date_table_size; i++) {
        char text[16];
        generate_date(DATE_TABLE_FIRST + i, text);
        memcpy(date_table[i], text, 11);
    }
    return 0;
}

/* "YYYY-MM-DD" of day (borrowed from the table, or from a static buffer outside it). */
static const char *date_text(int day)
{
    static char outside[16];
    if (day - DATE_TABLE_FIRST >= 0 && day - DATE_TABLE_FIRST < date_table_size)
        return date_table[day - DATE_TABLE_FIRST];
    generate_date(day, outside);
    return outside;
}

/* "YYYY-MM-DD HH:MM:00" of a moment, into out. */
static const char *moment_text(struct moment at, char out[32])
{
    snprintf(out, 32, "%s %02d:%02d:00", date_text(at.day), (at.minute / 60) % 100,
             at.minute % 60);
    return out;
}

/* --- the story of a case --- */

static struct moment moment_on(uint64_t *rng, int day)
{
    struct moment at = {day, 480 + (int)random_below(rng, 480)}; /* 08:00-15:59 */
    return at;
}

static int moment_after(struct moment a, struct moment b)
{
    return a.day > b.day || (a.day == b.day && a.minute > b.minute);
}

/* How many cases person (global index) has when the mean over all persons is mean. */
static int person_case_count(uint64_t seed, long person, double mean)
{
    uint64_t rng = random_stream(seed, TAG_ACTIVE, (uint64_t)person);
    double roll = (double)(random_next(&rng) >> 11) * 0x1p-53;
    size_t shape = random_below(&rng, 100);
    int count = shape < 55 ? 1 : shape < 85 ? 2 : 3; /* mean CASE_MEAN_ACTIVE */
    if (mean <= CASE_MEAN_ACTIVE)
        return roll < mean / CASE_MEAN_ACTIVE ? count : 0;
    double extra = mean - CASE_MEAN_ACTIVE;
    count += (int)extra + (roll < extra - (double)(int)extra);
    return count < CASE_MAX_PER_PERSON ? count : CASE_MAX_PER_PERSON;
}

static void case_assess_and_plan(struct case_model *model, uint64_t *rng, int limit)
{
    if (!random_percent(rng, 85))
        return;
    int day = model->opened.day + 1 + (int)random_below(rng, 30);
    if (day > limit)
        return;
    model->assessed[model->assessments++] = moment_on(rng, day);
    int again = model->assessed[0].day + 60 + (int)random_below(rng, 240);
    if (random_percent(rng, 12) && again <= limit)
        model->assessed[model->assessments++] = moment_on(rng, again);
    if (!random_percent(rng, 80))
        return;
    day = model->assessed[0].day + 1 + (int)random_below(rng, 20);
    for (int version = 0; version < CASE_MAX_PLANS && day <= limit; version++) {
        model->planned[model->plans] = moment_on(rng, day);
        model->review_day[model->plans++] = day + 90 + (int)random_below(rng, 90);
        if (!random_percent(rng, 15))
            break;
        day += 60 + (int)random_below(rng, 200);
    }
}

/* Referrals after the first plan, each answered (or not) before limit. */
static void case_refer(struct case_model *model, uint64_t *rng, int limit, int partners)
{
    static const unsigned shape[] = {15, 50, 80, 95, 100}; /* cumulative: 0..4 referrals */
    size_t roll = random_below(rng, 100);
    int wanted = 0;
    while (wanted < CASE_MAX_REFERRALS && roll >= shape[wanted])
        wanted++;
    if (model->plans == 0 || partners == 0)
        return;
    for (int i = 0; i < wanted; i++) {
        int day = model->planned[0].day + (int)random_below(rng, 60);
        if (day > limit)
            break;
        struct referral_model *referral = &model->referral[model->referrals++];
        struct moment none = {DAY_NONE, 0};
        referral->partner = (int)random_below(rng, (size_t)partners);
        referral->created = moment_on(rng, day);
        referral->accepted = referral->declined = referral->completed = none;
        referral->due_day = day + 30 + (int)random_below(rng, 60);
        size_t answer = random_below(rng, 100);
        int answered = day + 1 + (int)random_below(rng, 14);
        if (answer < 10 || answered > limit)
            continue; /* still sent */
        if (answer < 22) {
            referral->declined = moment_on(rng, answered);
            continue;
        }
        referral->accepted = moment_on(rng, answered);
        int completed = answered + 14 + (int)random_below(rng, 120);
        if (random_percent(rng, 60) && completed <= limit)
            referral->completed = moment_on(rng, completed);
    }
}

/* The last thing that happened in the case so far (opening, assessment, plan, answers). */
static int case_last_day(const struct case_model *model)
{
    int last = model->opened.day;
    for (int i = 0; i < model->assessments; i++)
        last = model->assessed[i].day > last ? model->assessed[i].day : last;
    for (int i = 0; i < model->plans; i++)
        last = model->planned[i].day > last ? model->planned[i].day : last;
    for (int i = 0; i < model->referrals; i++) {
        const struct referral_model *r = &model->referral[i];
        int days[] = {r->created.day, r->accepted.day, r->declined.day, r->completed.day};
        for (int k = 0; k < 4; k++)
            last = days[k] > last ? days[k] : last;
    }
    return last;
}

static void outcome_add(struct case_model *model, uint64_t *rng, enum outcome_kind kind, int day,
                        int today)
{
    struct outcome_model *outcome = &model->outcome[model->outcomes++];
    memset(outcome, 0, sizeof(*outcome));
    outcome->kind = kind;
    outcome->at = moment_on(rng, day);
    if (kind == OUTCOME_EMPLOYED) {
        size_t roll = random_below(rng, 100);
        outcome->pathway = roll < 55 ? 0 : roll < 80 ? 1 : roll < 90 ? 2 : 3;
    }
    if (kind != OUTCOME_EMPLOYED && kind != OUTCOME_SELF_EMPLOYED)
        return;
    static const int months[] = {3, 6, 12};
    int still = 1;
    for (int i = 0; i < 3; i++) {
        int checked = day + months[i] * 30 + (int)random_below(rng, 14);
        if (checked > today)
            break;
        still = still && random_percent(rng, 88);
        outcome->follow_day[outcome->follow_ups] = checked;
        outcome->still_employed[outcome->follow_ups++] = still;
    }
}

/* Outcomes after everything else; a final one closes the case. */
static void case_outcomes(struct case_model *model, uint64_t *rng, int limit, int today)
{
    size_t roll = random_below(rng, 100);
    int day = case_last_day(model) + 20 + (int)random_below(rng, 250);
    if (model->plans == 0 || roll >= 63 || day > limit)
        return;
    enum outcome_kind kind = roll < 30   ? OUTCOME_EMPLOYED
                             : roll < 45 ? OUTCOME_IN_TRAINING
                             : roll < 50 ? OUTCOME_SELF_EMPLOYED
                             : roll < 55 ? OUTCOME_LEFT_BENEFITS
                                         : OUTCOME_DROPPED_OUT;
    outcome_add(model, rng, kind, day, today);
    if (kind == OUTCOME_IN_TRAINING) {
        day += 60 + (int)random_below(rng, 180);
        if (!random_percent(rng, 60) || day > limit)
            return;
        outcome_add(model, rng, OUTCOME_TRAINING_COMPLETED, day, today);
        day += 10 + (int)random_below(rng, 110);
        if (!random_percent(rng, 35) || day > limit)
            return;
        outcome_add(model, rng, OUTCOME_EMPLOYED, day, today);
    }
    enum outcome_kind last = model->outcome[model->outcomes - 1].kind;
    int closes = day + (int)random_below(rng, 30);
    if (last != OUTCOME_IN_TRAINING && last != OUTCOME_TRAINING_COMPLETED && closes <= limit) {
        model->closed = moment_on(rng, closes);
        if (!moment_after(model->closed, model->outcome[model->outcomes - 1].at))
            model->closed = model->outcome[model->outcomes - 1].at;
        model->close_reason = outcome_kinds[last];
    }
}

/* Conferences and notes over the case's life (opening to closing or limit). */
static void case_meetings_and_notes(struct case_model *model, uint64_t *rng, int end)
{
    int from = model->plans > 0 ? model->planned[0].day : model->opened.day;
    int conferences = (int)random_below(rng, 100);
    conferences = conferences < 40 ? 0 : conferences < 80 ? 1 : 2;
    for (int i = 0; i < conferences && model->plans > 0; i++)
        model->conference_day[model->conferences++] =
            from + (int)random_below(rng, (size_t)(end - from + 1));
    if (model->conferences == 2 && model->conference_day[1] < model->conference_day[0]) {
        int first = model->conference_day[1];
        model->conference_day[1] = model->conference_day[0];
        model->conference_day[0] = first;
    }
    int notes = 1 + (int)random_below(rng, CASE_MAX_NOTES);
    for (int i = 0; i < notes; i++) {
        int day = model->opened.day + (int)random_below(rng, (size_t)(end - model->opened.day + 1));
        model->note[model->notes++] = moment_on(rng, day);
        if (!moment_after(model->note[i], model->opened))
            model->note[i] = model->opened;
        if (model->closed.day != DAY_NONE && moment_after(model->note[i], model->closed))
            model->note[i] = model->closed;
    }
}

/* The stage the case reached, and its version (one per change of stage). */
static void case_stage(struct case_model *model, uint64_t *rng, int today)
{
    int steps = (model->assessments > 0) + (model->plans > 0) + (model->referrals > 0);
    if (model->closed.day != DAY_NONE) {
        model->stage = "closed";
        steps++;
    } else if (model->referrals > 0 || model->outcomes > 0) {
        model->stage = "implementation";
        if (model->review_day[0] <= today && random_percent(rng, 40)) {
            model->stage = "review";
            steps++;
        }
    } else if (model->plans > 0) {
        model->stage = "planning";
    } else if (model->assessments > 0) {
        model->stage = "assessment";
    } else {
        model->stage = "intake";
    }
    model->version = 1 + steps;
}

/*
 * The whole story of case number (0..count-1) of a person: the period is cut
 * into count slices, the case opens on any day of its slice (so openings are
 * spread evenly over the years), and nothing of it happens after its slice (an
 * earlier case is closed at the end of its slice at the latest).
 */
static void case_make(const struct generate_context *context, long person, int number,
                      int count, struct case_model *model)
{
    static const char *const reasons[] = {"cash assistance beneficiary, work capable",
                                          "referred by the employment bureau",
                                          "own request", "priority group screening"};
    memset(model, 0, sizeof(*model));
    model->person = person;
    model->key = (uint64_t)person * 8 + (uint64_t)number;
    model->closed.day = DAY_NONE;
    uint64_t rng = random_stream(context->seed, TAG_CASE_RANDOM, model->key);
    int slice = (context->today + 1) / count;
    int start = number * slice;
    int limit = number == count - 1 ? context->today : start + slice - 1;
    model->opened = moment_on(&rng, start + (int)random_below(&rng, (size_t)(limit - start + 1)));
    model->reason = reasons[random_below(&rng, 4)];
    const char *no_longer = number < count - 1 ? "no_longer_needed" : NULL;
    if (number == count - 1 && model->opened.day < context->today - 540 &&
        random_percent(&rng, 50)) { /* an old case nobody closed: closed as inactive */
        limit = model->opened.day + 365 + (int)random_below(&rng, 175);
        no_longer = "inactive";
    }
    case_assess_and_plan(model, &rng, limit);
    case_refer(model, &rng, limit, context->partner_count);
    case_outcomes(model, &rng, limit, context->today);
    if (model->closed.day == DAY_NONE && no_longer != NULL) {
        model->closed.day = limit; /* 16:30: after the day's work (08:00-15:59) */
        model->closed.minute = 990;
        model->close_reason = no_longer;
    }
    int end = model->closed.day != DAY_NONE ? model->closed.day : limit;
    case_meetings_and_notes(model, &rng, end);
    case_stage(model, &rng, context->today);
}

/* --- benefits --- */

struct benefit_model {
    int one_time; /* 1: one_time_assistance on one day, 0: cash_assistance period */
    int since, until; /* until DAY_NONE: ongoing */
    int amount;
};

/* A person's benefit periods: cash assistance for about a third, one-time assistance for
 * the rural_one_time_assistance group (1-3 payments) and a few other rural persons. */
static int person_benefits(const struct generate_context *context, long person,
                           struct benefit_model *out)
{
    uint64_t rng = random_stream(context->seed, TAG_BENEFIT, (uint64_t)person);
    unsigned flags = context->person_flags[person - context->first];
    int count = 0, today = context->today;
    if (random_percent(&rng, 35)) {
        int since = (int)random_below(&rng, (size_t)today + 366) - 365;
        for (int period = 0; period < 2 && since <= today; period++) {
            int until = since + 180 + (int)random_below(&rng, 720);
            out[count++] = (struct benefit_model){0, since, until > today ? DAY_NONE : until,
                                                  150 + (int)random_below(&rng, 250)};
            if (until > today || !random_percent(&rng, 20))
                break;
            since = until + 30 + (int)random_below(&rng, 300);
        }
    }
    int payments = (flags & PERSON_GROUP_RURAL_OTA) ? 1 + (int)random_below(&rng, 3)
                   : (flags & PERSON_RURAL) && random_percent(&rng, 6) ? 1
                                                                       : 0;
    for (int i = 0; i < payments && count < PERSON_MAX_BENEFITS; i++) {
        int day = (int)random_below(&rng, (size_t)today + 1);
        out[count++] = (struct benefit_model){1, day, day, 100 + (int)random_below(&rng, 400)};
    }
    return count;
}

/* --- rows --- */

static void emit_benefits(struct copy_stream *copy, const struct generate_context *context,
                          long person)
{
    struct benefit_model benefits[PERSON_MAX_BENEFITS];
    int count = person_benefits(context, person, benefits);
    char person_id[40], id[40], since[16], created[32];
    generate_uuid(context->seed, TAG_PERSON, (uint64_t)person, person_id);
    for (int i = 0; i < count; i++) {
        const struct benefit_model *b = &benefits[i];
        generate_uuid(context->seed, TAG_BENEFIT, (uint64_t)person * 8 + (uint64_t)i, id);
        snprintf(since, sizeof(since), "%s", date_text(b->since));
        struct moment recorded = {b->since > 0 ? b->since : 0, 600};
        copy_row(copy, "%s\t%s\t%s\t%s\t%s\t%s\t%d.00\t%s\t%s\n", id, person_id,
                 context->municipality_id, b->one_time ? "one_time_assistance" : "cash_assistance",
                 since, b->until == DAY_NONE ? "\\N" : date_text(b->until), b->amount,
                 b->one_time ? "jednokratna pomoć" : "", moment_text(recorded, created));
    }
}

static void emit_case(struct copy_stream *copy, const struct generate_context *context,
                      const struct case_model *model, const char *case_id)
{
    char person_id[40], opened[32], closed[32];
    generate_uuid(context->seed, TAG_PERSON, (uint64_t)model->person, person_id);
    int is_closed = model->closed.day != DAY_NONE;
    copy_row(copy, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", case_id,
             context->municipality_id, person_id, context->institution_id, context->lead_user_id,
             model->stage, model->reason, model->version, moment_text(model->opened, opened),
             is_closed ? moment_text(model->closed, closed) : "\\N",
             is_closed ? model->close_reason : "\\N");
}

/* The lead, and each partner from its first referral until none of its referrals is open. */
static void emit_team(struct copy_stream *copy, const struct generate_context *context,
                      const struct case_model *model, const char *case_id)
{
    char joined[32], left[32];
    copy_row(copy, "%s\t%s\t%s\tlead\t%s\t\\N\n", case_id, context->municipality_id,
             context->institution_id, moment_text(model->opened, joined));
    for (int i = 0; i < model->referrals; i++) {
        int partner = model->referral[i].partner, seen = 0, open = 0;
        struct moment last = model->referral[i].created;
        for (int k = 0; k < i; k++)
            seen |= model->referral[k].partner == partner;
        if (seen)
            continue;
        for (int k = i; k < model->referrals; k++) {
            const struct referral_model *r = &model->referral[k];
            if (r->partner != partner)
                continue;
            struct moment answer = r->completed.day != DAY_NONE ? r->completed : r->declined;
            open |= answer.day == DAY_NONE;
            if (answer.day != DAY_NONE && moment_after(answer, last))
                last = answer;
        }
        copy_row(copy, "%s\t%s\t%s\treferral\t%s\t%s\n", case_id, context->municipality_id,
                 context->partners[partner].id, moment_text(model->referral[i].created, joined),
                 open ? "\\N" : moment_text(last, left));
    }
}

static void emit_assessments_plans(struct copy_stream *copy, const struct generate_context *context,
                                   const struct case_model *model, const char *case_id,
                                   int plans)
{
    char id[40], at[32];
    int count = plans ? model->plans : model->assessments;
    for (int i = 0; i < count; i++) {
        uint64_t index = model->key * 4 + (uint64_t)i;
        if (plans) {
            generate_uuid(context->seed, TAG_PLAN, index, id);
            copy_row(copy, "%s\t%s\t%s\t%d\t%s\t\t%s\t%s\n", id, case_id,
                     context->municipality_id, i + 1, date_text(model->review_day[i]),
                     context->lead_user_id, moment_text(model->planned[i], at));
        } else {
            generate_uuid(context->seed, TAG_ASSESSMENT, index, id);
            copy_row(copy, "%s\t%s\t%s\t%d\t%s\t%s\t\t%s\n", id, case_id,
                     context->municipality_id, i + 1, date_text(model->assessed[i].day),
                     context->lead_user_id, moment_text(model->assessed[i], at));
        }
    }
}

/* The measure a partner's role offers. */
static const char *partner_measure(const struct generate_partner *partner)
{
    if (strcmp(partner->role, "employment_service") == 0)
        return "active_employment_measure";
    if (strcmp(partner->role, "education_provider") == 0)
        return "vocational_training";
    if (strcmp(partner->role, "employer_liaison") == 0)
        return "employer_mediation";
    return "support_service";
}

static void emit_referrals(struct copy_stream *copy, const struct generate_context *context,
                           const struct case_model *model, const char *case_id)
{
    for (int i = 0; i < model->referrals; i++) {
        const struct referral_model *r = &model->referral[i];
        const struct generate_partner *partner = &context->partners[r->partner];
        char id[40], created[32], accepted[32], declined[32], completed[32], responded[32];
        generate_uuid(context->seed, TAG_REFERRAL, model->key * 4 + (uint64_t)i, id);
        const char *status = "sent", *responded_at = "\\N", *answered_by = "\\N";
        const char *user = partner->user_id[0] != '\0' ? partner->user_id : "\\N";
        int version = 1;
        if (r->declined.day != DAY_NONE) {
            status = "declined";
            responded_at = moment_text(r->declined, responded);
            answered_by = user;
            version = 2;
        } else if (r->accepted.day != DAY_NONE) {
            struct moment last = r->completed.day != DAY_NONE ? r->completed : r->accepted;
            status = r->completed.day != DAY_NONE ? "completed" : "accepted";
            responded_at = moment_text(last, responded);
            answered_by = user;
            version = r->completed.day != DAY_NONE ? 3 : 2;
        }
        copy_row(copy,
                 "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", id,
                 context->municipality_id, case_id, partner->id, partner_measure(partner),
                 date_text(r->due_day), status, context->lead_user_id,
                 moment_text(r->created, created), responded_at, version,
                 r->declined.day != DAY_NONE ? "no capacity this term" : "\\N",
                 r->completed.day != DAY_NONE ? "completed as planned" : "\\N",
                 r->accepted.day != DAY_NONE ? moment_text(r->accepted, accepted) : "\\N",
                 r->declined.day != DAY_NONE ? moment_text(r->declined, declined) : "\\N",
                 r->completed.day != DAY_NONE ? moment_text(r->completed, completed) : "\\N",
                 r->accepted.day != DAY_NONE ? user : "\\N", answered_by);
    }
}

static void emit_conferences(struct copy_stream *copy, const struct generate_context *context,
                             const struct case_model *model, const char *case_id)
{
    for (int i = 0; i < model->conferences; i++) {
        char id[40], created[32], codes[256];
        generate_uuid(context->seed, TAG_CONFERENCE, model->key * 4 + (uint64_t)i, id);
        snprintf(codes, sizeof(codes), "{}");
        if (model->referrals > 0)
            snprintf(codes, sizeof(codes), "{%s}",
                     context->partners[model->referral[0].partner].code);
        struct moment held = {model->conference_day[i], 660};
        if (model->closed.day != DAY_NONE && moment_after(held, model->closed))
            held = model->closed; /* on the day of closing, before it */
        copy_row(copy, "%s\t%s\t%s\t%s\t%s\tplan reviewed\tnext conference in three months"
                       "\t%s\t%s\n",
                 id, case_id, context->municipality_id, date_text(held.day), codes,
                 context->lead_user_id, moment_text(held, created));
    }
}

static void emit_notes(struct copy_stream *copy, const struct generate_context *context,
                       const struct case_model *model, const char *case_id)
{
    static const char *const texts[] = {"home visit", "phone call with the beneficiary",
                                        "documents collected", "meeting at the centre",
                                        "talked to the partner about the measure"};
    for (int i = 0; i < model->notes; i++) {
        char id[40], created[32];
        generate_uuid(context->seed, TAG_NOTE, model->key * 8 + (uint64_t)i, id);
        copy_row(copy, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", id, case_id, context->municipality_id,
                 context->lead_user_id, context->institution_id,
                 texts[(model->key + (uint64_t)i) % 5], moment_text(model->note[i], created));
    }
}

static void emit_outcomes(struct copy_stream *copy, const struct generate_context *context,
                          const struct case_model *model, const char *case_id, int follow_ups)
{
    static const int months[] = {3, 6, 12};
    for (int i = 0; i < model->outcomes; i++) {
        const struct outcome_model *o = &model->outcome[i];
        char id[40], at[32];
        generate_uuid(context->seed, TAG_OUTCOME, model->key * 4 + (uint64_t)i, id);
        int employed = o->kind == OUTCOME_EMPLOYED;
        if (!follow_ups) {
            copy_row(copy, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\t%s\t%s\t%s\n", id, case_id,
                     context->municipality_id, outcome_kinds[o->kind], date_text(o->at.day),
                     employed ? "Prijedor d.o.o." : "", employed ? "fixed_term" : "",
                     employed ? pathways[o->pathway] : "", context->lead_user_id,
                     context->institution_id, moment_text(o->at, at));
            continue;
        }
        for (int k = 0; k < o->follow_ups; k++) {
            struct moment checked = {o->follow_day[k], 720};
            copy_row(copy, "%s\t%s\t%d\t%s\t%s\t\t%s\t%s\n", id, context->municipality_id,
                     months[k], date_text(o->follow_day[k]), o->still_employed[k] ? "t" : "f",
                     context->lead_user_id, moment_text(checked, at));
        }
    }
}

/* Writes table's rows of one case. */
static void emit(struct copy_stream *copy, const struct generate_context *context,
                 const struct case_model *model, enum case_table table)
{
    char case_id[40];
    generate_uuid(context->seed, TAG_CASE, model->key, case_id);
    switch (table) {
    case TABLE_CASES: emit_case(copy, context, model, case_id); break;
    case TABLE_TEAM: emit_team(copy, context, model, case_id); break;
    case TABLE_ASSESSMENTS: emit_assessments_plans(copy, context, model, case_id, 0); break;
    case TABLE_PLANS: emit_assessments_plans(copy, context, model, case_id, 1); break;
    case TABLE_REFERRALS: emit_referrals(copy, context, model, case_id); break;
    case TABLE_CONFERENCES: emit_conferences(copy, context, model, case_id); break;
    case TABLE_NOTES: emit_notes(copy, context, model, case_id); break;
    case TABLE_OUTCOMES: emit_outcomes(copy, context, model, case_id, 0); break;
    case TABLE_FOLLOW_UPS: emit_outcomes(copy, context, model, case_id, 1); break;
    default: break;
    }
}

/* Adds one case's rows per table to counts. */
static void count_case(const struct case_model *model, long counts[TABLE_COUNT])
{
    counts[TABLE_CASES]++;
    counts[TABLE_TEAM]++;
    for (int i = 0; i < model->referrals; i++) {
        int seen = 0;
        for (int k = 0; k < i; k++)
            seen |= model->referral[k].partner == model->referral[i].partner;
        counts[TABLE_TEAM] += !seen;
    }
    counts[TABLE_ASSESSMENTS] += model->assessments;
    counts[TABLE_PLANS] += model->plans;
    counts[TABLE_REFERRALS] += model->referrals;
    counts[TABLE_CONFERENCES] += model->conferences;
    counts[TABLE_NOTES] += model->notes;
    counts[TABLE_OUTCOMES] += model->outcomes;
    for (int i = 0; i < model->outcomes; i++)
        counts[TABLE_FOLLOW_UPS] += model->outcome[i].follow_ups;
}

/*
 * One pass over every person of the run: with copy, writes table's rows;
 * without, counts every table's rows into counts.
 */
static void case_pass(const struct generate_context *context, double mean,
                      struct copy_stream *copy, enum case_table table, long counts[TABLE_COUNT])
{
    struct benefit_model benefits[PERSON_MAX_BENEFITS];
    for (long local = 0; local < context->persons && (copy == NULL || !copy->failed); local++) {
        long person = context->first + local;
        if (table == TABLE_BENEFITS && copy != NULL) {
            emit_benefits(copy, context, person);
            continue;
        }
        if (copy == NULL)
            counts[TABLE_BENEFITS] += person_benefits(context, person, benefits);
        int cases = person_case_count(context->seed, person, mean);
        for (int number = 0; number < cases; number++) {
            struct case_model model;
            case_make(context, person, number, cases, &model);
            if (copy != NULL)
                emit(copy, context, &model, table);
            else
                count_case(&model, counts);
        }
    }
}

static long count_events(const long counts[TABLE_COUNT])
{
    long events = 0;
    for (int table = 0; table < TABLE_COUNT; table++)
        events += case_tables[table].is_event ? counts[table] : 0;
    return events;
}

int generate_cases(struct generate_context *context, const struct case_options *options)
{
    if (context->partner_count == 0)
        fprintf(stderr, "generate: no partner institutions: cases get no referrals\n");
    if (date_table_make(context->today) != 0) {
        fprintf(stderr, "generate: out of memory\n");
        return -1;
    }
    /* benefits do not depend on the mean, case events grow with it about linearly */
    long counts[TABLE_COUNT] = {0};
    case_pass(context, 1.0, NULL, TABLE_COUNT, counts);
    long per_mean = count_events(counts) - counts[TABLE_BENEFITS];
    double mean = per_mean > 0 ? (double)(options->events - counts[TABLE_BENEFITS]) / (double)per_mean
                               : 0;
    if (mean < 0.001)
        mean = 0.001;
    memset(counts, 0, sizeof(counts));
    case_pass(context, mean, NULL, TABLE_COUNT, counts);
    fprintf(stderr, "generate: %.2f cases per person on average, %ld case events planned\n",
            (double)counts[TABLE_CASES] / (double)context->persons, count_events(counts));
    int failed = 0;
    for (int table = 0; table < TABLE_COUNT && !failed; table++) {
        struct copy_stream copy;
        if (copy_begin(&copy, context->conn, case_tables[table].name, case_tables[table].copy,
                       counts[table]) != 0) {
            failed = 1;
            break;
        }
        case_pass(context, mean, &copy, (enum case_table)table, NULL);
        failed = copy_end(&copy) != 0;
    }
    free(date_table);
    date_table = NULL;
    return failed ? -1 : 0;
}
