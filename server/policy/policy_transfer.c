/*
 * The categories of a case transfer (see policy_transfer.h).
 */
#include "policy_transfer.h"

policy_mask policy_transfer_categories(const struct policy *from, const struct policy *to)
{
    if (from == NULL || to == NULL)
        return 0;
    return from->transfer_send & to->transfer_receive & POLICY_PERSON_CATEGORIES;
}

int policy_transfer_carries_withheld_address(policy_mask categories)
{
    policy_mask both = POLICY_BIT(POLICY_CATEGORY_CONTACT_ADDRESS) |
                       POLICY_BIT(POLICY_CATEGORY_SAFETY);
    return (categories & both) == both;
}
