/*
 * How common a string is in URLs: a static model the prefilter uses to wait
 * on the rarest literal a pattern requires, and to anchor each literal on
 * its rarest window. See url_model.c for where the figures come from.
 */
#ifndef UE_URL_MODEL_H
#define UE_URL_MODEL_H

#include <stddef.h>

/* At or above this share, a literal is in about every URL: waiting on it
 * filters nothing, and a pattern with nothing rarer runs on every URL. */
#define URL_SHARE_EVERY 0.5

/* The estimated share of URLs (0 to 1) that contain S, compared lower-case
 * (S is lower-case already). */
double url_share(const char *s, size_t len);

#endif
