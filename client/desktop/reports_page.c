/*
 * The Reports page (see reports_page.h).
 */
#include "reports_page.h"

#include <string.h>

#include "desktop_call.h"
#include "document_fetch.h"
#include "document_preview.h"
#include "i18n.h"
#include "report_pdf.h"
#include "ui_util.h"

/* The charts' scale on screen: points to pixels. */
#define REPORTS_CHART_SCALE 1.3

struct reports_page {
    struct desktop_context *context;
    GtkWidget *from;
    GtkWidget *to;
    GtkWidget *preview;
    GtkWidget *status;
    GtkWidget *subtitle;
    GtkWidget *figures;  /* a flow box of key figures */
    GtkWidget *charts;   /* the drawing area */
    GtkWidget *rows;     /* a list box of every row */
    Spona__V1__ReportResponse *report; /* the last answer (a copy) */
    spona_response *whoami;            /* for the names (copies) */
    spona_response *directory;
    struct doc_labels labels;
    GCancellable *pending;             /* the call in flight (a ref), cancelled when freed */
};

static void reports_page_free(gpointer data)
{
    struct reports_page *page = data;
    if (page->pending != NULL) {
        g_cancellable_cancel(page->pending);
        g_object_unref(page->pending);
    }
    if (page->report != NULL)
        spona__v1__report_response__free_unpacked(page->report, NULL);
    if (page->whoami != NULL)
        spona__v1__response__free_unpacked(page->whoami, NULL);
    if (page->directory != NULL)
        spona__v1__response__free_unpacked(page->directory, NULL);
    g_free(page);
}

/* Starts request with the page's cancellable (the previous call's is dropped). */
static void reports_call(struct reports_page *page, const char *what,
                         const spona_request *request, desktop_call_done *done)
{
    g_clear_object(&page->pending);
    GCancellable *cancellable = desktop_call_start(page->context, what, request,
                                                   DESKTOP_CALL_READ, NULL, done, page);
    page->pending = g_object_ref(cancellable);
}

/* Forgets the names (fetched again with each report: another user may have signed in). */
static void reports_forget_names(struct reports_page *page)
{
    page->labels.whoami = NULL;
    page->labels.directory = NULL;
    if (page->whoami != NULL)
        spona__v1__response__free_unpacked(page->whoami, NULL);
    if (page->directory != NULL)
        spona__v1__response__free_unpacked(page->directory, NULL);
    page->whoami = NULL;
    page->directory = NULL;
}

static void reports_say(GtkWidget *label, const char *text)
{
    gtk_label_set_text(GTK_LABEL(label), text);
    ui_set_accessible_name(label, text[0] != '\0' ? text : " ");
}

/* Why a value is not a number, or NULL for a number (docs/reports.md, "Suppression"). */
static const char *reports_why(const char *value)
{
    if (strcmp(value, "<5") == 0)
        return _("suppressed: a count from 1 to 4");
    if (strcmp(value, "x") == 0)
        return _("suppressed: hidden so that a \"<5\" cannot be worked out from the other "
                 "cells");
    if (strcmp(value, "n/a") == 0)
        return _("not available: a median over no one");
    return NULL;
}

/* One key figure: its value as sent (large) and its label; named "LABEL: VALUE (why)". */
static GtkWidget *reports_figure(const Spona__V1__ReportResponse *report, size_t index)
{
    char label[256];
    report_pdf_figure_label(index, label, sizeof(label));
    const char *value = report_pdf_figure_value(report, index);
    const char *why = value != NULL ? reports_why(value) : _("not in the report");
    GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 2);
    gtk_widget_add_css_class(box, "card");
    gtk_widget_set_size_request(box, 150, -1);
    GtkWidget *number = gtk_label_new(value != NULL ? value : "\xe2\x80\x94");
    gtk_widget_add_css_class(number, "title-1");
    GtkWidget *name = gtk_label_new(label);
    gtk_label_set_wrap(GTK_LABEL(name), TRUE);
    gtk_box_append(GTK_BOX(box), number);
    gtk_box_append(GTK_BOX(box), name);
    char *text = why != NULL ? g_strdup_printf("%s: %s (%s)", label, value != NULL ? value : "",
                                               why)
                             : g_strdup_printf("%s: %s", label, value);
    if (why != NULL) {
        GtkWidget *note = gtk_label_new(why);
        gtk_label_set_wrap(GTK_LABEL(note), TRUE);
        gtk_label_set_max_width_chars(GTK_LABEL(note), 20);
        gtk_widget_add_css_class(note, "dim-label");
        gtk_box_append(GTK_BOX(box), note);
    }
    ui_set_accessible_name(box, text);
    g_free(text);
    return box;
}

/* A row of the table: "indicator · breakdown: value", and why when it is not a number. */
static GtkWidget *reports_row(const Spona__V1__IndicatorRow *row)
{
    const char *why = reports_why(row->value);
    char *text = why != NULL ? g_strdup_printf("%s \xc2\xb7 %s: %s (%s)", row->indicator,
                                               row->breakdown, row->value, why)
                             : g_strdup_printf("%s \xc2\xb7 %s: %s", row->indicator,
                                               row->breakdown, row->value);
    GtkWidget *item = ui_list_row(text);
    g_free(text);
    return item;
}

static void reports_draw_charts(GtkDrawingArea *area, cairo_t *cr, int width, int height,
                                gpointer data)
{
    struct reports_page *page = data;
    if (page->report == NULL)
        return;
    double scale = MIN(width / REPORT_PDF_CHARTS_WIDTH, REPORTS_CHART_SCALE);
    cairo_scale(cr, scale, scale);
    report_pdf_charts(cr, page->report, &page->labels, NULL);
}

/* The charts' height on screen: drawn once on a recording surface to measure. */
static int reports_charts_height(struct reports_page *page)
{
    cairo_surface_t *surface = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, NULL);
    cairo_t *cr = cairo_create(surface);
    double height = report_pdf_charts(cr, page->report, &page->labels, NULL);
    cairo_destroy(cr);
    cairo_surface_destroy(surface);
    return height > 0 ? (int)(height * REPORTS_CHART_SCALE) + 8 : 0;
}

/* Shows page->report: the subtitle, the figures, the charts and every row. */
static void reports_show(struct reports_page *page)
{
    const Spona__V1__ReportResponse *report = page->report;
    const char *municipality = doc_labels_municipality(&page->labels);
    char *subtitle = g_strdup_printf(
        _("Municipality %s \xc2\xb7 period %s to %s \xc2\xb7 protocol version %u"),
        municipality[0] != '\0' ? municipality : report->municipality_code, report->from,
        report->to,
        (unsigned)report->protocol_version);
    reports_say(page->subtitle, subtitle);
    g_free(subtitle);
    GtkWidget *child;
    while ((child = gtk_widget_get_first_child(page->figures)) != NULL)
        gtk_flow_box_remove(GTK_FLOW_BOX(page->figures), child);
    for (size_t i = 0; i < report_pdf_figure_count(); i++)
        gtk_flow_box_append(GTK_FLOW_BOX(page->figures), reports_figure(report, i));
    gtk_drawing_area_set_content_height(GTK_DRAWING_AREA(page->charts),
                                        reports_charts_height(page));
    gtk_widget_queue_draw(page->charts);
    while ((child = gtk_widget_get_first_child(page->rows)) != NULL)
        gtk_list_box_remove(GTK_LIST_BOX(page->rows), child);
    for (size_t i = 0; i < report->n_rows; i++)
        gtk_list_box_append(GTK_LIST_BOX(page->rows), reports_row(report->rows[i]));
    if (report->suppressed_view) {
        char *text = g_strdup_printf(
            _("Small cells are suppressed: counts from 1 to 4 are shown as \"<5\", and \"x\" "
              "marks a cell hidden so that a \"<5\" cannot be worked out from the other "
              "cells. Figures as released on %s."),
            report->released_at);
        reports_say(page->status, text);
        g_free(text);
    } else {
        reports_say(page->status, "");
    }
    gtk_widget_set_sensitive(page->preview, TRUE);
}

static spona_response *reports_copy(const spona_response *response)
{
    size_t length = spona__v1__response__get_packed_size(response);
    uint8_t *bytes = g_malloc(length > 0 ? length : 1);
    spona__v1__response__pack(response, bytes);
    spona_response *copy = spona__v1__response__unpack(NULL, length, bytes);
    g_free(bytes);
    return copy;
}

static void reports_fetch_names(struct reports_page *page);

/* whoami or directory answered: kept for the names; the next, or the report shown. */
static void reports_named(const spona_response *response, const char *error, int cancelled,
                          gpointer data)
{
    struct reports_page *page = data;
    if (cancelled)
        return;
    if (response == NULL || response->status != SPONA__V1__STATUS__OK) {
        reports_show(page); /* codes instead of names */
        return;
    }
    if (response->whoami != NULL && page->whoami == NULL) {
        page->whoami = reports_copy(response);
        page->labels.whoami = page->whoami->whoami;
    } else if (response->directory != NULL && page->directory == NULL) {
        page->directory = reports_copy(response);
        page->labels.directory = page->directory->directory;
    }
    reports_fetch_names(page);
}

/* Fetches what the names need (once a session), then shows the report. */
static void reports_fetch_names(struct reports_page *page)
{
    spona_request request = SPONA__V1__REQUEST__INIT;
    Spona__V1__WhoAmIRequest whoami = SPONA__V1__WHO_AM_IREQUEST__INIT;
    Spona__V1__DirectoryRequest directory = SPONA__V1__DIRECTORY_REQUEST__INIT;
    if (page->whoami == NULL) {
        request.body_case = SPONA__V1__REQUEST__BODY_WHOAMI;
        request.whoami = &whoami;
    } else if (page->directory == NULL) {
        request.body_case = SPONA__V1__REQUEST__BODY_DIRECTORY;
        request.directory = &directory;
    } else {
        reports_show(page);
        return;
    }
    reports_call(page, _("Loading the names"), &request, reports_named);
}

static void reports_answered(const spona_response *response, const char *error, int cancelled,
                             gpointer data)
{
    struct reports_page *page = data;
    if (cancelled)
        return;
    if (response == NULL || response->status != SPONA__V1__STATUS__OK ||
        response->report == NULL) {
        reports_say(page->status, desktop_call_error_text(response, error));
        return;
    }
    if (page->report != NULL)
        spona__v1__report_response__free_unpacked(page->report, NULL);
    size_t length = spona__v1__report_response__get_packed_size(response->report);
    uint8_t *bytes = g_malloc(length > 0 ? length : 1);
    spona__v1__report_response__pack(response->report, bytes);
    page->report = spona__v1__report_response__unpack(NULL, length, bytes);
    g_free(bytes);
    reports_forget_names(page);
    reports_fetch_names(page);
}

static void reports_on_show(GtkWidget *widget, gpointer data)
{
    struct reports_page *page = data;
    Spona__V1__ReportRequest body = SPONA__V1__REPORT_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    body.from = (char *)(uintptr_t)gtk_editable_get_text(GTK_EDITABLE(page->from));
    body.to = (char *)(uintptr_t)gtk_editable_get_text(GTK_EDITABLE(page->to));
    request.body_case = SPONA__V1__REQUEST__BODY_REPORT;
    request.report = &body;
    reports_say(page->status, _("Loading the report…"));
    reports_call(page, _("Loading the report"), &request, reports_answered);
}

static void reports_on_preview(GtkButton *button, gpointer data)
{
    struct reports_page *page = data;
    if (page->report == NULL)
        return;
    char *name = g_strdup_printf("report-%s-%s.pdf", page->report->from, page->report->to);
    document_preview_open(page->context, DOCUMENT_REPORT, NULL, page->report, name);
    g_free(name);
}

/* The period: From and To (YYYY-MM-DD; empty: the server's default), Show, Print preview. */
static GtkWidget *reports_period(struct reports_page *page)
{
    GtkWidget *bar = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12);
    GtkWidget *grid = gtk_grid_new();
    gtk_grid_set_column_spacing(GTK_GRID(grid), 6);
    gtk_grid_set_row_spacing(GTK_GRID(grid), 6);
    page->from = ui_grid_entry(GTK_GRID(grid), 0, _("_From (YYYY-MM-DD)"), "");
    page->to = ui_grid_entry(GTK_GRID(grid), 1, _("T_o (YYYY-MM-DD)"), "");
    gtk_entry_set_placeholder_text(GTK_ENTRY(page->from), _("the period's default"));
    gtk_entry_set_placeholder_text(GTK_ENTRY(page->to), _("the period's default"));
    GtkWidget *show = ui_button(_("Show _figures"));
    gtk_widget_add_css_class(show, "suggested-action");
    page->preview = ui_button(_("Print pre_view…"));
    gtk_widget_set_sensitive(page->preview, FALSE);
    gtk_widget_set_valign(show, GTK_ALIGN_END);
    gtk_widget_set_valign(page->preview, GTK_ALIGN_END);
    g_signal_connect(show, "clicked", G_CALLBACK(reports_on_show), page);
    g_signal_connect(page->from, "activate", G_CALLBACK(reports_on_show), page);
    g_signal_connect(page->to, "activate", G_CALLBACK(reports_on_show), page);
    g_signal_connect(page->preview, "clicked", G_CALLBACK(reports_on_preview), page);
    gtk_box_append(GTK_BOX(bar), grid);
    gtk_box_append(GTK_BOX(bar), show);
    gtk_box_append(GTK_BOX(bar), page->preview);
    return bar;
}

GtkWidget *reports_page_new(struct desktop_context *context)
{
    struct reports_page *page = g_new0(struct reports_page, 1);
    page->context = context;
    GtkWidget *box = ui_page_box();
    g_object_set_data_full(G_OBJECT(box), "reports-page", page, reports_page_free);
    gtk_box_append(GTK_BOX(box), reports_period(page));
    page->subtitle = ui_text("");
    page->status = ui_text("");
    gtk_widget_add_css_class(page->status, "dim-label");
    page->figures = gtk_flow_box_new();
    gtk_flow_box_set_selection_mode(GTK_FLOW_BOX(page->figures), GTK_SELECTION_NONE);
    gtk_flow_box_set_max_children_per_line(GTK_FLOW_BOX(page->figures), 6);
    ui_set_accessible_name(page->figures, _("Key figures"));
    page->charts = g_object_new(GTK_TYPE_DRAWING_AREA, "accessible-role",
                                GTK_ACCESSIBLE_ROLE_IMG, NULL);
    ui_set_accessible_name(page->charts, _("Charts of the report"));
    gtk_drawing_area_set_draw_func(GTK_DRAWING_AREA(page->charts), reports_draw_charts, page,
                                   NULL);
    page->rows = gtk_list_box_new();
    gtk_list_box_set_selection_mode(GTK_LIST_BOX(page->rows), GTK_SELECTION_NONE);
    ui_set_accessible_name(page->rows, _("All indicators"));
    GtkWidget *content = gtk_box_new(GTK_ORIENTATION_VERTICAL, 12);
    gtk_box_append(GTK_BOX(content), page->subtitle);
    gtk_box_append(GTK_BOX(content), page->status);
    gtk_box_append(GTK_BOX(content), page->figures);
    gtk_box_append(GTK_BOX(content), page->charts);
    gtk_box_append(GTK_BOX(content), ui_heading(_("All indicators")));
    gtk_box_append(GTK_BOX(content), page->rows);
    GtkWidget *scroll = gtk_scrolled_window_new();
    gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(scroll), content);
    gtk_widget_set_vexpand(scroll, TRUE);
    gtk_box_append(GTK_BOX(box), scroll);
    return box;
}
