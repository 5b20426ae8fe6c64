/*
 * What a case transfer between two municipalities may carry (docs/transfer.md): the
 * categories the sending protocol lets go (`transfer: send`) and the receiving one lets
 * in (`transfer: receive`), and no other. Pure logic like policy.c.
 */
#ifndef SPONA_POLICY_TRANSFER_H
#define SPONA_POLICY_TRANSFER_H

#include "policy.h"

/* The categories a transfer from a municipality under `from` to one under `to` carries. */
policy_mask policy_transfer_categories(const struct policy *from, const struct policy *to);

/* 1 when a withheld address travels with categories: only when both protocols named the
 * address and safety both; otherwise the package holds no address of a person whose
 * address is withheld, and says nothing of why. */
int policy_transfer_carries_withheld_address(policy_mask categories);

#endif
