/*
 * The caseload seam (see caseload_page.h).
 */
#include "caseload_page.h"

#include "i18n.h"
#include "ui_util.h"

GtkWidget *caseload_page_new(struct desktop_context *context)
{
    GtkWidget *box = ui_page_box();
    gtk_box_append(GTK_BOX(box), ui_heading(_("My cases")));
    gtk_box_append(GTK_BOX(box),
                   ui_text(_("The caseload list comes with the server's caseload requests. "
                             "Until then, find a person under Search, or open a case from "
                             "a referral in the Inbox.")));
    return box;
}
