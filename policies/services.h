/*
 * Named services (`service youtube,tiktok`): one domain list a service,
 * services/NAME.list beside the rule file first, so users can add or
 * override one, then the installed folder (services_dir()).
 */
#ifndef UE_SERVICES_H
#define UE_SERVICES_H

#include <stdbool.h>
#include <stddef.h>

#define SERVICE_NAME_MAX 64

/* The installed services: $URL_ENFORCER_SERVICES if set (the tests point it
 * at the source tree), else the folder `make install` fills. */
const char *services_dir(void);

/* NAME[0..LEN) is a service name: letters, digits, '-' and '_'. */
bool service_name_valid(const char *name, size_t len);

/*
 * The list of service NAME for a rule in RULE_FILE: a new string, or NULL
 * with errno ENOENT when neither folder has it (ENOMEM when out of memory).
 */
char *service_list_path(const char *rule_file, const char *name);

#endif
