/*
 * Hidden categories with their reason (see hidden_row.h).
 */
#include "hidden_row.h"

#include <string.h>

#include "i18n.h"
#include "ui_util.h"

const Spona__V1__CategoryDecision *
hidden_row_find(Spona__V1__CategoryDecision *const *decisions, size_t count,
                const char *category)
{
    for (size_t i = 0; i < count; i++)
        if (decisions[i]->category != NULL && strcmp(decisions[i]->category, category) == 0 &&
            decisions[i]->action != NULL && strcmp(decisions[i]->action, "read") == 0)
            return decisions[i];
    return NULL;
}

int hidden_row_hides(const Spona__V1__CategoryDecision *decision)
{
    return decision == NULL || !decision->allowed;
}

GtkWidget *hidden_row_new(const char *category, const Spona__V1__CategoryDecision *decision)
{
    GtkWidget *box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 8);
    gtk_widget_add_css_class(box, "card");
    gtk_widget_set_margin_top(box, 4);
    GtkWidget *icon = gtk_image_new_from_icon_name("changes-prevent-symbolic");
    gtk_accessible_update_property(GTK_ACCESSIBLE(icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                   _("hidden"), -1);
    GtkWidget *texts = gtk_box_new(GTK_ORIENTATION_VERTICAL, 2);
    char *title = g_strdup_printf(_("Hidden: %s"), i18n_code_label("category", category));
    const char *reason = decision != NULL && decision->reason != NULL && decision->reason[0]
                             ? decision->reason
                             : _("no decision from the server");
    char *detail = decision != NULL && decision->clause != 0
                       ? g_strdup_printf(_("%s (clause %u, protocol version %u)"), reason,
                                         decision->clause, decision->protocol_version)
                       : g_strdup(reason);
    GtkWidget *heading = ui_text(title);
    gtk_widget_add_css_class(heading, "heading");
    GtkWidget *why = ui_text(detail);
    gtk_widget_add_css_class(why, "dim-label");
    gtk_box_append(GTK_BOX(texts), heading);
    gtk_box_append(GTK_BOX(texts), why);
    gtk_box_append(GTK_BOX(box), icon);
    gtk_box_append(GTK_BOX(box), texts);
    gtk_widget_set_margin_start(texts, 4);
    gtk_accessible_update_property(GTK_ACCESSIBLE(box), GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                   GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, detail, -1);
    g_free(title);
    g_free(detail);
    return box;
}
