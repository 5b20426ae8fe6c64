/*
 * The person and case page (see person_page.h).
 */
#include "person_page.h"

#include "case_dialogs.h"
#include "case_work.h"
#include "desktop_call.h"
#include "disclosures_tab.h"
#include "desktop_text.h"
#include "document_preview.h"
#include "i18n.h"
#include "person_tabs.h"
#include "record_tabs.h"
#include "ui_util.h"

enum person_tab {
    TAB_IDENTITY,
    TAB_HOUSEHOLD,
    TAB_ASSESSMENT,
    TAB_PLAN,
    TAB_RECORDS, /* the record_tab ones follow */
    TAB_COUNT = TAB_RECORDS + RECORD_TAB_COUNT,
};

static const char *const tab_titles[TAB_COUNT] = {
    N_("_Identity"),  N_("_Household and benefits"), N_("_Assessment"),
    N_("_Plan"),      N_("Re_ferrals"),              N_("Co_nferences"),
    N_("No_tes"),     N_("O_utcomes"),               N_("_Timeline"),
};

struct person_page {
    struct desktop_context *context;
    GtkWidget *box;
    GtkWidget *title;
    GtkWidget *actions; /* the case's buttons: only with a case */
    GtkWidget *work;    /* the work actions (case_work.c): only with a case */
    GtkWidget *disclosures;
    GtkBox *tabs[TAB_COUNT];
    char *case_id;
    char *person_id;
    Spona__V1__PersonView *person; /* an owned copy, for the decisions */
    guint generation;              /* answers to an older opening are dropped */
};

/* One pending load: the page and the opening it belongs to. */
struct person_load {
    struct person_page *page;
    guint generation;
};

static void person_page_free(gpointer data)
{
    struct person_page *page = data;
    g_free(page->case_id);
    g_free(page->person_id);
    if (page->person != NULL)
        spona__v1__person_view__free_unpacked(page->person, NULL);
    g_free(page);
}

/* Keeps a copy of view (packed and unpacked: the answer is freed after the callback). */
static void person_page_keep(struct person_page *page, const Spona__V1__PersonView *view)
{
    if (page->person != NULL)
        spona__v1__person_view__free_unpacked(page->person, NULL);
    size_t length = spona__v1__person_view__get_packed_size(view);
    uint8_t *bytes = g_malloc(length > 0 ? length : 1);
    spona__v1__person_view__pack(view, bytes);
    page->person = spona__v1__person_view__unpack(NULL, length, bytes);
    g_free(bytes);
}

/* The load's page if it is still the current opening, else NULL; frees load. */
static struct person_page *person_load_take(struct person_load *load, int cancelled)
{
    struct person_page *page = load->page;
    int current = !cancelled && load->generation == page->generation;
    g_free(load);
    return current ? page : NULL;
}

static void person_page_request(struct person_page *page, const char *what,
                                const spona_request *request, desktop_call_done *done)
{
    struct person_load *load = g_new0(struct person_load, 1);
    load->page = page;
    load->generation = page->generation;
    desktop_call_start(page->context, what, request, DESKTOP_CALL_READ, NULL, done, load);
}

static void assessment_loaded(const spona_response *response, const char *error, int cancelled,
                              gpointer data)
{
    struct person_page *page = person_load_take(data, cancelled);
    if (page != NULL)
        person_tabs_assessment(page->tabs[TAB_ASSESSMENT], response, error);
}

static void plan_loaded(const spona_response *response, const char *error, int cancelled,
                        gpointer data)
{
    struct person_page *page = person_load_take(data, cancelled);
    if (page != NULL)
        person_tabs_plan(page->tabs[TAB_PLAN], response, error, page->person);
}

static void timeline_loaded(const spona_response *response, const char *error, int cancelled,
                            gpointer data)
{
    struct person_page *page = person_load_take(data, cancelled);
    if (page == NULL)
        return;
    if (response != NULL && response->status == SPONA__V1__STATUS__OK &&
        response->timeline != NULL) {
        record_tabs_fill(page->tabs + TAB_RECORDS, response->timeline, page->person);
        return;
    }
    for (int i = TAB_RECORDS; i < TAB_COUNT; i++) {
        ui_box_clear(page->tabs[i]);
        person_tabs_note(page->tabs[i], desktop_call_error_text(response, error));
    }
}

/* Loads the assessment, the plan and the timeline of the case shown. */
static void person_page_load_records(struct person_page *page)
{
    spona_request request = SPONA__V1__REQUEST__INIT;
    Spona__V1__AssessmentGetRequest assessment = SPONA__V1__ASSESSMENT_GET_REQUEST__INIT;
    assessment.case_id = page->case_id;
    request.body_case = SPONA__V1__REQUEST__BODY_ASSESSMENT_GET;
    request.assessment_get = &assessment;
    person_page_request(page, _("Loading the assessment"), &request, assessment_loaded);
    Spona__V1__PlanGetRequest plan = SPONA__V1__PLAN_GET_REQUEST__INIT;
    plan.case_id = page->case_id;
    request.body_case = SPONA__V1__REQUEST__BODY_PLAN_GET;
    request.plan_get = &plan;
    person_page_request(page, _("Loading the plan"), &request, plan_loaded);
    Spona__V1__TimelineRequest timeline = SPONA__V1__TIMELINE_REQUEST__INIT;
    timeline.case_id = page->case_id;
    request.body_case = SPONA__V1__REQUEST__BODY_TIMELINE;
    request.timeline = &timeline;
    person_page_request(page, _("Loading the timeline"), &request, timeline_loaded);
}

static void person_page_set_title(struct person_page *page, const char *text)
{
    gtk_label_set_text(GTK_LABEL(page->title), text);
    ui_set_accessible_name(page->title, text);
}

/* Shows the person part of an answer (case or person). */
static void person_page_show_person(struct person_page *page, const Spona__V1__PersonView *view,
                                    const char *stage)
{
    person_page_keep(page, view);
    char *name = desktop_text_person_name(view->fields, view->n_fields);
    char *title = stage != NULL ? g_strdup_printf(_("%s, case %.8s, stage %s"), name,
                                                  page->case_id, i18n_code_label("stage", stage))
                                : g_strdup_printf(_("%s, no case"), name);
    person_page_set_title(page, title);
    g_free(title);
    g_free(name);
    disclosures_tab_set_person(page->disclosures, view->person_id);
    person_tabs_identity(page->tabs[TAB_IDENTITY], view);
    person_tabs_household(page->tabs[TAB_HOUSEHOLD], view);
}

static void case_loaded(const spona_response *response, const char *error, int cancelled,
                        gpointer data)
{
    struct person_page *page = person_load_take(data, cancelled);
    if (page == NULL)
        return;
    if (response == NULL || response->status != SPONA__V1__STATUS__OK) {
        person_page_set_title(page, desktop_call_error_text(response, error));
        return;
    }
    if (response->case_get != NULL && response->case_get->person != NULL) {
        person_page_show_person(page, response->case_get->person, response->case_get->stage);
        person_page_load_records(page);
    } else if (response->person_get != NULL) {
        person_page_show_person(page, response->person_get, NULL);
    }
}

void person_page_open(GtkWidget *widget, const char *case_id, const char *person_id)
{
    struct person_page *page = g_object_get_data(G_OBJECT(widget), "person-page");
    page->generation++;
    g_free(page->case_id);
    g_free(page->person_id);
    page->case_id = g_strdup(case_id);
    page->person_id = g_strdup(person_id);
    person_page_set_title(page, _("Loading…"));
    for (int i = 0; i < TAB_COUNT; i++) {
        ui_box_clear(page->tabs[i]);
        if (case_id == NULL && i >= TAB_ASSESSMENT)
            person_tabs_note(page->tabs[i], _("No case: open a case to see its records"));
    }
    gtk_widget_set_sensitive(page->actions, case_id != NULL);
    gtk_widget_set_sensitive(page->work, case_id != NULL);
    disclosures_tab_set_person(page->disclosures, NULL);
    spona_request request = SPONA__V1__REQUEST__INIT;
    Spona__V1__CaseGetRequest case_get = SPONA__V1__CASE_GET_REQUEST__INIT;
    Spona__V1__PersonGetRequest person_get = SPONA__V1__PERSON_GET_REQUEST__INIT;
    if (case_id != NULL) {
        case_get.case_id = page->case_id;
        request.body_case = SPONA__V1__REQUEST__BODY_CASE_GET;
        request.case_get = &case_get;
    } else {
        person_get.person_id = page->person_id;
        request.body_case = SPONA__V1__REQUEST__BODY_PERSON_GET;
        request.person_get = &person_get;
    }
    person_page_request(page, _("Opening the case"), &request, case_loaded);
}

static void person_page_reload(gpointer data)
{
    struct person_page *page = data;
    char *case_id = g_strdup(page->case_id);
    char *person_id = g_strdup(page->person_id);
    person_page_open(page->box, case_id, person_id);
    g_free(case_id);
    g_free(person_id);
}

static void on_note(GtkButton *button, gpointer data)
{
    struct person_page *page = data;
    case_dialogs_note(page->context, page->case_id, person_page_reload, page);
}

static void on_refer(GtkButton *button, gpointer data)
{
    struct person_page *page = data;
    case_dialogs_refer(page->context, page->case_id, person_page_reload, page);
}

static void on_outcome(GtkButton *button, gpointer data)
{
    struct person_page *page = data;
    case_dialogs_outcome(page->context, page->case_id, person_page_reload, page);
}

static void person_page_target(gpointer data, const char **case_id,
                               const Spona__V1__PersonView **person)
{
    struct person_page *page = data;
    *case_id = page->case_id;
    *person = page->person;
}

static void on_plan_preview(GtkButton *button, gpointer data)
{
    struct person_page *page = data;
    char *name = g_strdup_printf("plan-%.8s.pdf", page->case_id);
    document_preview_open(page->context, DOCUMENT_PLAN, page->case_id, NULL, name);
    g_free(name);
}

static void on_letter_preview(GtkButton *button, gpointer data)
{
    struct person_page *page = data;
    if (page->person == NULL)
        return;
    char *name = g_strdup_printf("disclosures-%.8s.pdf", page->person->person_id);
    document_preview_open(page->context, DOCUMENT_LETTER, page->person->person_id, NULL, name);
    g_free(name);
}

static void on_back(GtkButton *button, gpointer data)
{
    struct person_page *page = data;
    page->context->show_work(page->context);
}

/* The header: Back, the title and the case's actions. */
static GtkWidget *person_page_header(struct person_page *page)
{
    GtkWidget *header = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
    GtkWidget *back = ui_button(_("_Back"));
    g_signal_connect(back, "clicked", G_CALLBACK(on_back), page);
    page->title = ui_text("");
    gtk_widget_add_css_class(page->title, "title-3");
    gtk_widget_set_hexpand(page->title, TRUE);
    page->actions = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
    const struct {
        const char *label;
        GCallback handler;
    } buttons[] = {
        { N_("Add _note"), G_CALLBACK(on_note) },
        { N_("_Refer"), G_CALLBACK(on_refer) },
        { N_("Record _outcome"), G_CALLBACK(on_outcome) },
        { N_("Plan pre_view"), G_CALLBACK(on_plan_preview) },
        { N_("Disc_losure letter"), G_CALLBACK(on_letter_preview) },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(buttons); i++) {
        GtkWidget *button = ui_button(_(buttons[i].label));
        g_signal_connect(button, "clicked", buttons[i].handler, page);
        gtk_box_append(GTK_BOX(page->actions), button);
    }
    gtk_box_append(GTK_BOX(header), back);
    gtk_box_append(GTK_BOX(header), page->title);
    gtk_box_append(GTK_BOX(header), page->actions);
    return header;
}

GtkWidget *person_page_new(struct desktop_context *context)
{
    struct person_page *page = g_new0(struct person_page, 1);
    page->context = context;
    page->box = ui_page_box();
    g_object_set_data_full(G_OBJECT(page->box), "person-page", page, person_page_free);
    gtk_box_append(GTK_BOX(page->box), person_page_header(page));
    page->work = case_work_bar_new(context, person_page_target, person_page_reload, page);
    gtk_box_append(GTK_BOX(page->box), page->work);
    GtkWidget *notebook = gtk_notebook_new();
    gtk_notebook_set_scrollable(GTK_NOTEBOOK(notebook), TRUE);
    gtk_widget_set_vexpand(notebook, TRUE);
    for (int i = 0; i < TAB_COUNT; i++) {
        GtkWidget *tab = ui_page_box();
        page->tabs[i] = GTK_BOX(tab);
        GtkWidget *scroll = gtk_scrolled_window_new();
        gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(scroll), tab);
        ui_notebook_page(GTK_NOTEBOOK(notebook), scroll, _(tab_titles[i]));
    }
    page->disclosures = disclosures_tab_new(context);
    ui_notebook_page(GTK_NOTEBOOK(notebook), page->disclosures, _("_Disclosures"));
    gtk_box_append(GTK_BOX(page->box), notebook);
    return page->box;
}
