/* urlctl: placeholder until the policy issue lands. */
#include <stdio.h>

int main(void)
{
	fprintf(stderr, "urlctl: not built yet\n");
	return 2;
}
