/*
 * The print preview window (see document_preview.h).
 */
#include "document_preview.h"

#include "i18n.h"
#include "ui_util.h"

/* The preview's scale: points to pixels on screen. */
#define PREVIEW_SCALE 1.0

struct preview {
    int refs;               /* the window's and the fetch's */
    GtkWidget *window;      /* NULL once closed */
    GtkWidget *status;
    GtkWidget *pages_box;
    GtkWidget *print;
    GtkWidget *save;
    struct doc_pages *pages; /* NULL until drawn */
    char *file_name;
};

static void preview_unref(struct preview *preview)
{
    if (--preview->refs > 0)
        return;
    if (preview->pages != NULL) {
        doc_pages_clear(preview->pages);
        g_free(preview->pages);
    }
    g_free(preview->file_name);
    g_free(preview);
}

static void preview_on_destroy(GtkWidget *window, gpointer data)
{
    struct preview *preview = data;
    preview->window = NULL;
    preview_unref(preview);
}

static void preview_say(struct preview *preview, const char *text)
{
    gtk_label_set_text(GTK_LABEL(preview->status), text);
    ui_set_accessible_name(preview->status, text);
}

static void preview_draw_page(GtkDrawingArea *area, cairo_t *cr, int width, int height,
                              gpointer data)
{
    struct preview *preview = data;
    size_t index = GPOINTER_TO_SIZE(g_object_get_data(G_OBJECT(area), "page"));
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    double scale = MIN(width / DOC_PAGES_WIDTH, height / DOC_PAGES_HEIGHT);
    if (preview->pages != NULL)
        doc_pages_draw(preview->pages, index, cr, scale);
}

/* One page: a drawing area named "Page N of M" (an image to assistive technologies). */
static GtkWidget *preview_page(struct preview *preview, size_t index)
{
    GtkWidget *area = g_object_new(GTK_TYPE_DRAWING_AREA, "accessible-role",
                                   GTK_ACCESSIBLE_ROLE_IMG, NULL);
    gtk_drawing_area_set_content_width(GTK_DRAWING_AREA(area),
                                       (int)(DOC_PAGES_WIDTH * PREVIEW_SCALE));
    gtk_drawing_area_set_content_height(GTK_DRAWING_AREA(area),
                                        (int)(DOC_PAGES_HEIGHT * PREVIEW_SCALE));
    gtk_widget_set_halign(area, GTK_ALIGN_CENTER);
    gtk_widget_add_css_class(area, "card");
    g_object_set_data(G_OBJECT(area), "page", GSIZE_TO_POINTER(index));
    char *name = g_strdup_printf(_("Page %zu of %zu"), index + 1, preview->pages->count);
    ui_set_accessible_name(area, name);
    g_free(name);
    gtk_drawing_area_set_draw_func(GTK_DRAWING_AREA(area), preview_draw_page, preview, NULL);
    return area;
}

static void preview_fetched(struct doc_pages *pages, const char *error, int cancelled,
                            gpointer data)
{
    struct preview *preview = data;
    if (preview->window == NULL || pages == NULL) {
        if (preview->window != NULL)
            preview_say(preview, cancelled ? _("Cancelled.") : error);
        if (pages != NULL) {
            doc_pages_clear(pages);
            g_free(pages);
        }
        preview_unref(preview);
        return;
    }
    preview->pages = pages;
    char *text = g_strdup_printf(i18n_n("%zu page", "%zu pages", pages->count), pages->count);
    preview_say(preview, text);
    g_free(text);
    for (size_t i = 0; i < pages->count; i++)
        gtk_box_append(GTK_BOX(preview->pages_box), preview_page(preview, i));
    gtk_widget_set_sensitive(preview->print, TRUE);
    gtk_widget_set_sensitive(preview->save, TRUE);
    preview_unref(preview);
}

static void preview_print_page(GtkPrintOperation *operation, GtkPrintContext *context,
                               int page, gpointer data)
{
    struct preview *preview = data;
    cairo_t *cr = gtk_print_context_get_cairo_context(context);
    double scale = MIN(gtk_print_context_get_width(context) / DOC_PAGES_WIDTH,
                       gtk_print_context_get_height(context) / DOC_PAGES_HEIGHT);
    doc_pages_draw(preview->pages, (size_t)page, cr, scale);
}

static void preview_print_done(GtkPrintOperation *operation, GtkPrintOperationResult result,
                               gpointer data)
{
    struct preview *preview = data;
    if (result == GTK_PRINT_OPERATION_RESULT_ERROR && preview->window != NULL) {
        GError *error = NULL;
        gtk_print_operation_get_error(operation, &error);
        preview_say(preview, error != NULL ? error->message : _("Printing failed."));
        g_clear_error(&error);
    } else if (result == GTK_PRINT_OPERATION_RESULT_APPLY && preview->window != NULL) {
        preview_say(preview, _("Sent to the printer."));
    }
}

static void preview_release(gpointer data)
{
    preview_unref(data);
}

static void preview_on_print(GtkButton *button, gpointer data)
{
    struct preview *preview = data;
    GtkPrintOperation *operation = gtk_print_operation_new();
    GtkPageSetup *setup = gtk_page_setup_new();
    GtkPaperSize *a4 = gtk_paper_size_new(GTK_PAPER_NAME_A4);
    gtk_page_setup_set_paper_size(setup, a4);
    gtk_print_operation_set_default_page_setup(operation, setup);
    gtk_paper_size_free(a4);
    g_object_unref(setup);
    gtk_print_operation_set_n_pages(operation, (int)preview->pages->count);
    gtk_print_operation_set_job_name(operation, preview->pages->title);
    gtk_print_operation_set_allow_async(operation, TRUE);
    /* the operation keeps the preview; the window keeps the operation */
    preview->refs++;
    g_object_set_data_full(G_OBJECT(operation), "preview", preview, preview_release);
    g_signal_connect(operation, "draw-page", G_CALLBACK(preview_print_page), preview);
    g_signal_connect(operation, "done", G_CALLBACK(preview_print_done), preview);
    g_object_set_data_full(G_OBJECT(preview->window), "print-operation", operation,
                           g_object_unref);
    GError *error = NULL;
    if (gtk_print_operation_run(operation, GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG,
                                GTK_WINDOW(preview->window), &error) ==
            GTK_PRINT_OPERATION_RESULT_ERROR &&
        error != NULL) {
        preview_say(preview, error->message);
        g_clear_error(&error);
    }
}

static void preview_saved(GtkNativeDialog *chooser, int response, gpointer data)
{
    struct preview *preview = data;
    if (response == GTK_RESPONSE_ACCEPT && preview->window != NULL) {
        GFile *file = gtk_file_chooser_get_file(GTK_FILE_CHOOSER(chooser));
        char *path = file != NULL ? g_file_get_path(file) : NULL;
        char err[512];
        if (path == NULL) {
            preview_say(preview, _("Choose a local file."));
        } else if (doc_pages_write_pdf(preview->pages, path, err, sizeof(err)) != 0) {
            preview_say(preview, err);
        } else {
            char *text = g_strdup_printf(_("Saved %s"), path);
            preview_say(preview, text);
            g_free(text);
        }
        g_free(path);
        g_clear_object(&file);
    }
    g_object_unref(chooser);
    preview_unref(preview);
}

static void preview_on_save(GtkButton *button, gpointer data)
{
    struct preview *preview = data;
    GtkFileChooserNative *chooser = gtk_file_chooser_native_new(
        _("Save as PDF"), GTK_WINDOW(preview->window), GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"),
        _("_Cancel"));
    gtk_native_dialog_set_modal(GTK_NATIVE_DIALOG(chooser), TRUE);
    gtk_file_chooser_set_current_name(GTK_FILE_CHOOSER(chooser), preview->file_name);
    preview->refs++;
    g_signal_connect(chooser, "response", G_CALLBACK(preview_saved), preview);
    gtk_native_dialog_show(GTK_NATIVE_DIALOG(chooser));
}

static void preview_on_close(GtkButton *button, gpointer data)
{
    struct preview *preview = data;
    if (preview->window != NULL)
        gtk_window_destroy(GTK_WINDOW(preview->window));
}

/* The bar: the page count (or what is happening), Print, Save as PDF, Close. */
static GtkWidget *preview_bar(struct preview *preview)
{
    GtkWidget *bar = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
    preview->status = ui_text("");
    gtk_widget_set_hexpand(preview->status, TRUE);
    preview->print = ui_button(_("_Print…"));
    preview->save = ui_button(_("_Save as PDF…"));
    GtkWidget *close = ui_button(_("_Close"));
    gtk_widget_set_sensitive(preview->print, FALSE);
    gtk_widget_set_sensitive(preview->save, FALSE);
    gtk_widget_add_css_class(preview->print, "suggested-action");
    g_signal_connect(preview->print, "clicked", G_CALLBACK(preview_on_print), preview);
    g_signal_connect(preview->save, "clicked", G_CALLBACK(preview_on_save), preview);
    g_signal_connect(close, "clicked", G_CALLBACK(preview_on_close), preview);
    gtk_box_append(GTK_BOX(bar), preview->status);
    gtk_box_append(GTK_BOX(bar), preview->print);
    gtk_box_append(GTK_BOX(bar), preview->save);
    gtk_box_append(GTK_BOX(bar), close);
    return bar;
}

static const char *preview_title(enum document_kind kind)
{
    switch (kind) {
    case DOCUMENT_PLAN:
        return _("Activation plan: print preview");
    case DOCUMENT_LETTER:
        return _("Letter about disclosures: print preview");
    default:
        return _("Indicator report: print preview");
    }
}

void document_preview_open(struct desktop_context *context, enum document_kind kind,
                           const char *id, const Spona__V1__ReportResponse *report,
                           const char *file_name)
{
    struct preview *preview = g_new0(struct preview, 1);
    preview->refs = 2;
    preview->file_name = g_strdup(file_name);
    preview->window = gtk_window_new();
    const char *title = preview_title(kind);
    gtk_window_set_title(GTK_WINDOW(preview->window), title);
    gtk_window_set_transient_for(GTK_WINDOW(preview->window), context->window);
    gtk_window_set_default_size(GTK_WINDOW(preview->window), 700, 860);
    GtkWidget *box = ui_page_box();
    gtk_box_append(GTK_BOX(box), ui_heading(title));
    gtk_box_append(GTK_BOX(box), preview_bar(preview));
    preview->pages_box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 12);
    ui_set_accessible_name(preview->pages_box, _("Pages"));
    GtkWidget *scroll = gtk_scrolled_window_new();
    gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(scroll), preview->pages_box);
    gtk_widget_set_vexpand(scroll, TRUE);
    gtk_box_append(GTK_BOX(box), scroll);
    gtk_window_set_child(GTK_WINDOW(preview->window), box);
    g_signal_connect(preview->window, "destroy", G_CALLBACK(preview_on_destroy), preview);
    GtkEventController *keys = gtk_shortcut_controller_new();
    gtk_shortcut_controller_add_shortcut(
        GTK_SHORTCUT_CONTROLLER(keys),
        gtk_shortcut_new(gtk_keyval_trigger_new(GDK_KEY_Escape, 0),
                         gtk_named_action_new("window.close")));
    gtk_widget_add_controller(preview->window, keys);
    preview_say(preview, _("Loading…"));
    gtk_window_present(GTK_WINDOW(preview->window));
    document_fetch(context, kind, id, report, preview_fetched, preview);
}
