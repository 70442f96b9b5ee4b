/*
 * Who may use the dashboard: an --auth file of "user:crypt(3) hash" lines
 * (yescrypt from mkpasswd, or any scheme libcrypt knows), checked on every
 * request (HTTP Basic). And the CSRF token every action must carry.
 */
#ifndef UE_WEB_AUTH_H
#define UE_WEB_AUTH_H

#include <stdbool.h>
#include <stdio.h>

struct web_auth;

/* Reads PATH; on an error prints "PATH:LINE: error: ..." lines to ERR and returns NULL. */
struct web_auth *web_auth_load(const char *path, FILE *err);
void web_auth_free(struct web_auth *a);
/* true when USER is listed and PASSWORD matches its hash. */
bool web_auth_check(const struct web_auth *a, const char *user, const char *password);

#define WEB_TOKEN_LEN 64        /* hex digits */
/* A fresh random token, WEB_TOKEN_LEN hex digits and a NUL. 0 or -errno. */
int web_token_new(char token[WEB_TOKEN_LEN + 1]);
/* Compares in time that does not depend on where they differ. */
bool web_token_equal(const char *a, const char *b);

#endif
