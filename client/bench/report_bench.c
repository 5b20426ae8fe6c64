/*
 * spona-report-bench: placeholder until the indicator benchmark lands.
 */
#include <stdio.h>

int main(void)
{
    fprintf(stderr, "spona-report-bench: not built yet\n");
    return 1;
}
