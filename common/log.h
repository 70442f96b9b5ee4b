/*
 * Diagnostics on stderr (never into the decision log), OpenBSD style:
 * log_warn adds strerror(errno), log_warnx does not; log_debug only with -v.
 * fatal/fatalx exit 1 and are for start-up only: after the daemon serves,
 * nothing from the wire or the control socket may reach them.
 */
#ifndef UE_LOG_H
#define UE_LOG_H

extern int log_verbose;

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void fatalx(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

#endif
