/*
 * The caseload page (see caseload_page.h).
 */
#include "caseload_page.h"

#include <string.h>

#include "caseload_filters.h"
#include "desktop_call.h"
#include "i18n.h"
#include "ui_util.h"

#define CASELOAD_PAGE_SIZE 50

/* the stage filter: index 0 is every open stage (the server's default) */
static const char *const caseload_stages[] = { "", "intake", "assessment", "planning",
                                               "implementation", "review", "closed" };
#define CASELOAD_STAGES (sizeof(caseload_stages) / sizeof(caseload_stages[0]))

struct caseload_page {
    struct desktop_context *context;
    GtkWidget *scope;   /* radio leader: mine, team */
    GtkWidget *stage;   /* drop-down over caseload_stages */
    GtkWidget *overdue; /* check: overdue only */
    struct caseload_filters *filters; /* priority group, partner */
    GtkWidget *list;
    GtkWidget *status;
    GtkWidget *more;
    char *cursor;       /* the next page's cursor; NULL: none */
    unsigned loaded;    /* rows listed, for the order within overdue and not */
    GCancellable *pending; /* the list call in flight (a ref) */
};

static void caseload_page_free(gpointer data)
{
    struct caseload_page *page = data;
    if (page->pending != NULL) {
        g_cancellable_cancel(page->pending);
        g_object_unref(page->pending);
    }
    caseload_filters_free(page->filters);
    g_free(page->cursor);
    g_free(page);
}

static void caseload_set_status(struct caseload_page *page, const char *text)
{
    gtk_label_set_text(GTK_LABEL(page->status), text);
    ui_set_accessible_name(page->status, text[0] != '\0' ? text : " ");
}

static int caseload_row_overdue(const Spona__V1__CaseListRow *row)
{
    return !row->due_hidden &&
           (row->overdue_referrals > 0 || row->overdue_measures > 0 || row->review_overdue);
}

/* What is overdue on a row, appended to line. */
static void caseload_overdue_text(GString *line, const Spona__V1__CaseListRow *row)
{
    g_string_append_printf(line, " · %s ", _("overdue:"));
    const char *sep = "";
    if (row->overdue_referrals > 0) {
        g_string_append_printf(line, i18n_n("%u referral", "%u referrals",
                                            row->overdue_referrals),
                               row->overdue_referrals);
        sep = ", ";
    }
    if (row->overdue_measures > 0) {
        g_string_append(line, sep);
        g_string_append_printf(line, i18n_n("%u measure", "%u measures",
                                            row->overdue_measures),
                               row->overdue_measures);
        sep = ", ";
    }
    if (row->review_overdue)
        g_string_append_printf(line, "%s%s", sep, _("review"));
}

/* A row's text: number, the person's name (or hidden), stage, next due, what is overdue. */
static char *caseload_row_text(const Spona__V1__CaseListRow *row)
{
    GString *line = g_string_new(row->number);
    if (row->name_hidden)
        g_string_append_printf(line, " · %s", _("(name hidden)"));
    else
        g_string_append_printf(line, " · %s %s", row->first_name, row->last_name);
    g_string_append_printf(line, " · %s", i18n_code_label("stage", row->stage));
    if (row->due_hidden)
        g_string_append_printf(line, " · %s", _("due dates hidden"));
    else if (row->next_due[0] != '\0')
        g_string_append_printf(line, " · %s %s", _("next due"), row->next_due);
    if (caseload_row_overdue(row))
        caseload_overdue_text(line, row);
    return g_string_free(line, FALSE);
}

static void caseload_open(struct caseload_page *page, GtkWidget *row)
{
    const char *case_id = g_object_get_data(G_OBJECT(row), "case-id");
    if (case_id != NULL && case_id[0] != '\0')
        page->context->open(page->context, case_id, NULL);
}

static void caseload_on_open(GtkButton *button, gpointer data)
{
    caseload_open(data, gtk_widget_get_ancestor(GTK_WIDGET(button), GTK_TYPE_LIST_BOX_ROW));
}

/* A row: its text, named by it, and an Open button named "Open: TEXT". */
static GtkWidget *caseload_row(struct caseload_page *page, const Spona__V1__CaseListRow *row)
{
    char *text = caseload_row_text(row);
    GtkWidget *item = gtk_list_box_row_new();
    ui_set_accessible_name(item, text);
    GtkWidget *box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
    gtk_widget_set_margin_start(box, 6);
    GtkWidget *label = ui_text(text);
    gtk_widget_set_hexpand(label, TRUE);
    GtkWidget *open = ui_button(_("Open"));
    char *name = g_strdup_printf(_("Open: %s"), text);
    ui_set_accessible_name(open, name);
    g_free(name);
    g_signal_connect(open, "clicked", G_CALLBACK(caseload_on_open), page);
    gtk_box_append(GTK_BOX(box), label);
    gtk_box_append(GTK_BOX(box), open);
    gtk_list_box_row_set_child(GTK_LIST_BOX_ROW(item), box);
    g_object_set_data_full(G_OBJECT(item), "case-id", g_strdup(row->case_id), g_free);
    g_object_set_data(G_OBJECT(item), "overdue", GINT_TO_POINTER(caseload_row_overdue(row)));
    g_object_set_data(G_OBJECT(item), "order", GUINT_TO_POINTER(page->loaded++));
    if (caseload_row_overdue(row))
        gtk_widget_add_css_class(item, "warning");
    g_free(text);
    return item;
}

/* Overdue first, then as the server listed them (newest first). */
static int caseload_sort(GtkListBoxRow *a, GtkListBoxRow *b, gpointer data)
{
    int overdue_a = GPOINTER_TO_INT(g_object_get_data(G_OBJECT(a), "overdue"));
    int overdue_b = GPOINTER_TO_INT(g_object_get_data(G_OBJECT(b), "overdue"));
    if (overdue_a != overdue_b)
        return overdue_b - overdue_a;
    guint order_a = GPOINTER_TO_UINT(g_object_get_data(G_OBJECT(a), "order"));
    guint order_b = GPOINTER_TO_UINT(g_object_get_data(G_OBJECT(b), "order"));
    return order_a < order_b ? -1 : order_a > order_b;
}

static void caseload_summary(struct caseload_page *page)
{
    char *text = g_strdup_printf(i18n_n("%u case listed", "%u cases listed", page->loaded),
                                 page->loaded);
    caseload_set_status(page, text);
    g_free(text);
}

static void caseload_done(const spona_response *response, const char *error, int cancelled,
                          gpointer data)
{
    struct caseload_page *page = data;
    if (cancelled)
        return;
    g_clear_object(&page->pending);
    if (response == NULL || response->status != SPONA__V1__STATUS__OK ||
        response->case_list == NULL) {
        caseload_set_status(page, desktop_call_error_text(response, error));
        return;
    }
    const Spona__V1__CaseListResponse *answer = response->case_list;
    for (size_t i = 0; i < answer->n_cases; i++)
        gtk_list_box_append(GTK_LIST_BOX(page->list), caseload_row(page, answer->cases[i]));
    g_clear_pointer(&page->cursor, g_free);
    if (answer->next_cursor != NULL && answer->next_cursor[0] != '\0')
        page->cursor = g_strdup(answer->next_cursor);
    gtk_widget_set_sensitive(page->more, page->cursor != NULL);
    if (page->loaded == 0)
        caseload_set_status(page, ui_radio_active(page->scope) == 1
                                      ? _("No case of your team's matches.")
                                      : _("No case of yours matches."));
    else
        caseload_summary(page);
}

/* Asks for a page: the first (after NULL) or the one after the cursor. */
static void caseload_fetch(struct caseload_page *page, const char *after)
{
    if (page->pending != NULL) {
        g_cancellable_cancel(page->pending);
        g_clear_object(&page->pending);
    }
    guint stage = gtk_drop_down_get_selected(GTK_DROP_DOWN(page->stage));
    Spona__V1__CaseListRequest body = SPONA__V1__CASE_LIST_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    body.scope = ui_radio_active(page->scope) == 1 ? "team" : "mine";
    body.stage = (char *)(uintptr_t)caseload_stages[stage < CASELOAD_STAGES ? stage : 0];
    body.overdue_only = gtk_check_button_get_active(GTK_CHECK_BUTTON(page->overdue));
    body.group = (char *)(uintptr_t)caseload_filters_group(page->filters);
    body.partner = (char *)(uintptr_t)caseload_filters_partner(page->filters);
    body.limit = CASELOAD_PAGE_SIZE;
    body.after = (char *)(uintptr_t)(after != NULL ? after : "");
    request.body_case = SPONA__V1__REQUEST__BODY_CASE_LIST;
    request.case_list = &body;
    gtk_widget_set_sensitive(page->more, FALSE);
    GCancellable *cancellable = desktop_call_start(page->context, _("Listing cases"), &request,
                                                   DESKTOP_CALL_READ, NULL, caseload_done,
                                                   page);
    page->pending = g_object_ref(cancellable);
}

static void caseload_reload_page(struct caseload_page *page)
{
    GtkWidget *row;
    while ((row = gtk_widget_get_first_child(page->list)) != NULL)
        gtk_list_box_remove(GTK_LIST_BOX(page->list), row);
    page->loaded = 0;
    g_clear_pointer(&page->cursor, g_free);
    caseload_filters_load(page->filters);
    caseload_fetch(page, NULL);
}

static void caseload_on_more(GtkButton *button, gpointer data)
{
    struct caseload_page *page = data;
    if (page->cursor != NULL) {
        char *cursor = g_strdup(page->cursor);
        caseload_fetch(page, cursor);
        g_free(cursor);
    }
}

static void caseload_on_filter(GObject *object, GParamSpec *spec, gpointer data)
{
    caseload_reload_page(data);
}

static void caseload_on_filters(gpointer data)
{
    caseload_reload_page(data);
}

static void caseload_on_refresh(GtkButton *button, gpointer data)
{
    caseload_reload_page(data);
}

static void caseload_on_row(GtkListBox *list, GtkListBoxRow *row, gpointer data)
{
    caseload_open(data, GTK_WIDGET(row));
}

/* The stage filter: a drop-down of the stages' labels, after a mnemonic label. */
static GtkWidget *caseload_stage_filter(struct caseload_page *page, GtkBox *bar)
{
    const char *labels[CASELOAD_STAGES + 1];
    labels[0] = _("Every open stage");
    for (size_t i = 1; i < CASELOAD_STAGES; i++)
        labels[i] = i18n_code_label("stage", caseload_stages[i]);
    labels[CASELOAD_STAGES] = NULL;
    GtkWidget *label = gtk_label_new_with_mnemonic(_("S_tage"));
    page->stage = gtk_drop_down_new_from_strings(labels);
    gtk_label_set_mnemonic_widget(GTK_LABEL(label), page->stage);
    /* one accessible name, not the label's and its own */
    gtk_accessible_reset_relation(GTK_ACCESSIBLE(page->stage),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY);
    char *plain = ui_plain(_("S_tage"));
    ui_set_accessible_name(page->stage, plain);
    g_free(plain);
    gtk_box_append(bar, label);
    gtk_box_append(bar, page->stage);
    return page->stage;
}

/* The filter bar: mine or the team's, the stage, overdue only, group, partner, refresh. */
static GtkWidget *caseload_filters(struct caseload_page *page)
{
    GtkWidget *bar = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12);
    GtkWidget *scope = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 0);
    ui_set_accessible_name(scope, _("Whose cases"));
    const char *const scopes[] = { _("Mine"), _("My team's"), NULL };
    page->scope = ui_radio_group(GTK_BOX(scope), scopes);
    gtk_box_append(GTK_BOX(bar), scope);
    caseload_stage_filter(page, GTK_BOX(bar));
    page->overdue = gtk_check_button_new_with_mnemonic(_("O_verdue only"));
    char *plain = ui_plain(_("O_verdue only"));
    ui_set_accessible_name(page->overdue, plain);
    g_free(plain);
    gtk_box_append(GTK_BOX(bar), page->overdue);
    /* the group and partner filters on a second line: names of groups are long */
    GtkWidget *more = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12);
    page->filters = caseload_filters_new(page->context, GTK_BOX(more), caseload_on_filters, page);
    GtkWidget *refresh = ui_button(_("Re_fresh"));
    gtk_box_append(GTK_BOX(bar), refresh);
    g_signal_connect(page->scope, "notify::active", G_CALLBACK(caseload_on_filter), page);
    g_signal_connect(page->stage, "notify::selected", G_CALLBACK(caseload_on_filter), page);
    g_signal_connect(page->overdue, "notify::active", G_CALLBACK(caseload_on_filter), page);
    g_signal_connect(refresh, "clicked", G_CALLBACK(caseload_on_refresh), page);
    GtkWidget *lines = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
    gtk_box_append(GTK_BOX(lines), bar);
    gtk_box_append(GTK_BOX(lines), more);
    return lines;
}

GtkWidget *caseload_page_new(struct desktop_context *context)
{
    struct caseload_page *page = g_new0(struct caseload_page, 1);
    page->context = context;
    GtkWidget *box = ui_page_box();
    g_object_set_data_full(G_OBJECT(box), "caseload-page", page, caseload_page_free);
    gtk_box_append(GTK_BOX(box), caseload_filters(page));
    page->status = ui_text("");
    gtk_widget_add_css_class(page->status, "dim-label");
    page->list = gtk_list_box_new();
    gtk_list_box_set_activate_on_single_click(GTK_LIST_BOX(page->list), TRUE);
    gtk_list_box_set_sort_func(GTK_LIST_BOX(page->list), caseload_sort, NULL, NULL);
    ui_set_accessible_name(page->list, _("Cases"));
    gtk_widget_add_css_class(page->list, "boxed-list");
    GtkWidget *scroll = gtk_scrolled_window_new();
    gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(scroll), page->list);
    gtk_widget_set_vexpand(scroll, TRUE);
    page->more = ui_button(_("Show _more cases"));
    gtk_widget_set_sensitive(page->more, FALSE);
    gtk_widget_set_halign(page->more, GTK_ALIGN_START);
    gtk_box_append(GTK_BOX(box), page->status);
    gtk_box_append(GTK_BOX(box), scroll);
    gtk_box_append(GTK_BOX(box), page->more);
    g_signal_connect(page->more, "clicked", G_CALLBACK(caseload_on_more), page);
    g_signal_connect(page->list, "row-activated", G_CALLBACK(caseload_on_row), page);
    return box;
}

void caseload_page_reload(GtkWidget *widget)
{
    struct caseload_page *page = g_object_get_data(G_OBJECT(widget), "caseload-page");
    if (page != NULL)
        caseload_reload_page(page);
}
