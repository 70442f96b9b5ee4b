/* url-enforcer: placeholder until the daemon lands (issue: the daemon end to end). */
#include <stdio.h>

int main(void)
{
	fprintf(stderr, "url-enforcer: not built yet\n");
	return 1;
}
