/*
 * The caseload's group and partner filters (see caseload_filters.h).
 */
#include "caseload_filters.h"

#include <string.h>

#include "desktop_call.h"
#include "doc_labels.h"
#include "i18n.h"
#include "ui_util.h"

struct caseload_filters {
    struct desktop_context *context;
    GtkWidget *group;      /* drop-down: "Any group", then the protocol's groups */
    GtkWidget *partner;    /* drop-down: "Any partner", then the institutions */
    GPtrArray *group_codes;   /* index as the drop-down's; [0] is "" */
    GPtrArray *partner_codes;
    int loaded;            /* 0: not yet, 1: asked, 2: filled */
    char *institution;     /* whose directory filled them (the partners leave it out) */
    int filling;           /* the choices are being replaced: no changed() */
    caseload_filters_changed *changed;
    gpointer data;
    GCancellable *pending; /* a ref */
};

static void filters_on_selected(GObject *object, GParamSpec *spec, gpointer data)
{
    struct caseload_filters *filters = data;
    if (!filters->filling)
        filters->changed(filters->data);
}

/* A drop-down after its mnemonic label, named by it alone. */
static GtkWidget *filters_drop_down(GtkBox *bar, const char *mnemonic, const char *any)
{
    const char *const labels[] = { any, NULL };
    GtkWidget *label = gtk_label_new_with_mnemonic(mnemonic);
    GtkWidget *drop = gtk_drop_down_new_from_strings(labels);
    gtk_label_set_mnemonic_widget(GTK_LABEL(label), drop);
    gtk_accessible_reset_relation(GTK_ACCESSIBLE(drop), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
    char *plain = ui_plain(mnemonic);
    ui_set_accessible_name(drop, plain);
    g_free(plain);
    gtk_box_append(bar, label);
    gtk_box_append(bar, drop);
    return drop;
}

struct caseload_filters *caseload_filters_new(struct desktop_context *context, GtkBox *bar,
                                              caseload_filters_changed *changed,
                                              gpointer data)
{
    struct caseload_filters *filters = g_new0(struct caseload_filters, 1);
    filters->context = context;
    filters->changed = changed;
    filters->data = data;
    filters->group_codes = g_ptr_array_new_with_free_func(g_free);
    filters->partner_codes = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(filters->group_codes, g_strdup(""));
    g_ptr_array_add(filters->partner_codes, g_strdup(""));
    filters->group = filters_drop_down(bar, _("Priorit_y group"), _("Any group"));
    filters->partner = filters_drop_down(bar, _("Part_ner"), _("Any partner"));
    g_signal_connect(filters->group, "notify::selected", G_CALLBACK(filters_on_selected),
                     filters);
    g_signal_connect(filters->partner, "notify::selected", G_CALLBACK(filters_on_selected),
                     filters);
    return filters;
}

/* Fills drop with any and then the names of the codes. */
static void filters_fill(struct caseload_filters *filters, GtkWidget *drop, const char *any,
                         GPtrArray *names)
{
    GtkStringList *list = gtk_string_list_new(NULL);
    gtk_string_list_append(list, any);
    for (guint i = 0; i < names->len; i++)
        gtk_string_list_append(list, g_ptr_array_index(names, i));
    filters->filling = 1;
    gtk_drop_down_set_model(GTK_DROP_DOWN(drop), G_LIST_MODEL(list));
    gtk_drop_down_set_selected(GTK_DROP_DOWN(drop), 0);
    filters->filling = 0;
    g_object_unref(list);
}

static void filters_directory(const spona_response *response, const char *error,
                              int cancelled, gpointer data)
{
    struct caseload_filters *filters = data;
    if (cancelled)
        return;
    g_clear_object(&filters->pending);
    const Spona__V1__DirectoryResponse *directory =
        response != NULL && response->status == SPONA__V1__STATUS__OK ? response->directory
                                                                      : NULL;
    if (directory == NULL) {
        filters->loaded = 0; /* asked again at the next listing */
        return;
    }
    struct doc_labels labels;
    memset(&labels, 0, sizeof(labels));
    labels.directory = directory;
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    for (size_t i = 0; i < directory->n_priority_groups; i++) {
        const char *code = directory->priority_groups[i]->code;
        g_ptr_array_add(filters->group_codes, g_strdup(code));
        g_ptr_array_add(names, g_strdup(doc_labels_group(&labels, code)));
    }
    filters_fill(filters, filters->group, _("Any group"), names);
    g_ptr_array_set_size(names, 0);
    for (size_t i = 0; i < directory->n_institutions; i++) {
        const Spona__V1__DirectoryEntry *entry = directory->institutions[i];
        if (!entry->enabled || strcmp(entry->institution_code,
                                      filters->context->institution_code) == 0)
            continue;
        g_ptr_array_add(filters->partner_codes, g_strdup(entry->institution_code));
        g_ptr_array_add(names, g_strdup(doc_labels_institution(&labels, entry->institution_code)));
    }
    filters_fill(filters, filters->partner, _("Any partner"), names);
    g_ptr_array_unref(names);
    filters->loaded = 2;
    g_free(filters->institution);
    filters->institution = g_strdup(filters->context->institution_code);
}

void caseload_filters_load(struct caseload_filters *filters)
{
    if (filters->loaded == 2 && g_strcmp0(filters->institution,
                                          filters->context->institution_code) != 0)
        filters->loaded = 0; /* another institution signed in: its own partners */
    if (filters->loaded != 0)
        return;
    filters->loaded = 1;
    g_ptr_array_set_size(filters->group_codes, 1);
    g_ptr_array_set_size(filters->partner_codes, 1);
    Spona__V1__DirectoryRequest body = SPONA__V1__DIRECTORY_REQUEST__INIT;
    spona_request request = SPONA__V1__REQUEST__INIT;
    request.body_case = SPONA__V1__REQUEST__BODY_DIRECTORY;
    request.directory = &body;
    GCancellable *cancellable = desktop_call_start(filters->context, _("Loading the directory"),
                                                   &request, DESKTOP_CALL_READ, NULL,
                                                   filters_directory, filters);
    filters->pending = g_object_ref(cancellable);
}

static const char *filters_code(GPtrArray *codes, GtkWidget *drop)
{
    guint index = gtk_drop_down_get_selected(GTK_DROP_DOWN(drop));
    return index < codes->len ? g_ptr_array_index(codes, index) : "";
}

const char *caseload_filters_group(const struct caseload_filters *filters)
{
    return filters_code(filters->group_codes, filters->group);
}

const char *caseload_filters_partner(const struct caseload_filters *filters)
{
    return filters_code(filters->partner_codes, filters->partner);
}

void caseload_filters_free(struct caseload_filters *filters)
{
    if (filters->pending != NULL) {
        g_cancellable_cancel(filters->pending);
        g_object_unref(filters->pending);
    }
    g_ptr_array_unref(filters->group_codes);
    g_ptr_array_unref(filters->partner_codes);
    g_free(filters->institution);
    g_free(filters);
}
