/*
 * A urlctl command line read by its row of the command table (urlctl.h):
 * options, output formats, the number and the words of the positional
 * arguments; usage errors as one line, --help, completion words.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "ctl/urlctl.h"

#define HELP_COL 36
/* getopt_long values: options[i] is OPT_BASE + i, beside the letters */
enum { OPT_BASE = 256, OPT_HELP = OPT_BASE + CTL_MAX_OPTIONS, OPT_JSON, OPT_PROMETHEUS };

static unsigned n_options(const struct ctl_command *c)
{
	unsigned n = 0;

	while (n < CTL_MAX_OPTIONS && c->options[n].name)
		n++;
	return n;
}

const struct ctl_command *ctl_command_find(const char *name)
{
	for (unsigned i = 0; i < ctl_n_commands; i++)
		if (!strcmp(ctl_commands[i].name, name))
			return &ctl_commands[i];
	return NULL;
}

int ctl_usage_error(const struct ctl_command *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "urlctl %s: ", c->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see urlctl %s --help)\n", c->name);
	return CTL_USAGE;
}

/* The alternatives of ARGS ("enforce|audit") are all literal words. */
static bool args_are_words(const char *args)
{
	if (!*args)
		return false;
	for (const char *p = args; *p; p++)
		if (isupper((unsigned char)*p))
			return false;
	return true;
}

/* WORD is one of the '|'-separated alternatives in ARGS. */
static bool args_allow(const char *args, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = args; *p;) {
		size_t len = strcspn(p, "|");

		if (len == n && !strncmp(p, word, n))
			return true;
		p += len + (p[len] == '|');
	}
	return false;
}

/* The word an option error names: the option as it was written. */
static const char *written_option(char **argv, int opt_char)
{
	static char letter[3];

	if (opt_char > 0 && opt_char < OPT_BASE) {       /* a letter, not a long option */
		snprintf(letter, sizeof(letter), "-%c", opt_char);
		return letter;
	}
	return argv[optind - 1];
}

int ctl_parse(const struct ctl_command *c, int argc, char **argv, struct ctl_args *a, int *status)
{
	struct option longopts[CTL_MAX_OPTIONS + 4];
	char shortopts[2 * CTL_MAX_OPTIONS + 2] = ":";
	unsigned n = n_options(c), k = 0;
	int opt;

	memset(a, 0, sizeof(*a));
	a->format = OUT_TEXT;
	for (unsigned i = 0; i < n; i++) {
		const struct ctl_option *o = &c->options[i];

		longopts[k++] = (struct option){ o->name, o->arg ? required_argument : no_argument,
						 NULL, OPT_BASE + (int)i };
		if (o->letter) {
			size_t len = strlen(shortopts);

			shortopts[len] = o->letter;
			if (o->arg)
				shortopts[++len] = ':';
		}
	}
	longopts[k++] = (struct option){ "help", no_argument, NULL, OPT_HELP };
	if (c->formats & 1u << OUT_JSON)
		longopts[k++] = (struct option){ "json", no_argument, NULL, OPT_JSON };
	if (c->formats & 1u << OUT_PROMETHEUS)
		longopts[k++] = (struct option){ "prometheus", no_argument, NULL, OPT_PROMETHEUS };
	longopts[k] = (struct option){ 0 };

	optind = 0;             /* a fresh scan, GNU getopt's reset */
	opterr = 0;             /* the messages below say which command */
	while ((opt = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (opt == OPT_HELP) {
			ctl_command_help(stdout, c);
			*status = CTL_OK;
			return 1;
		} else if (opt == OPT_JSON || opt == OPT_PROMETHEUS) {
			enum out_format f = opt == OPT_JSON ? OUT_JSON : OUT_PROMETHEUS;

			if (a->format != OUT_TEXT && a->format != f) {
				*status = ctl_usage_error(c, "--json and --prometheus exclude each other");
				return 1;
			}
			a->format = f;
		} else if (opt >= OPT_BASE && opt < OPT_BASE + (int)n) {
			a->value[opt - OPT_BASE] = optarg ? optarg : "";
		} else if (opt == '?') {
			*status = ctl_usage_error(c, "unknown option %s", written_option(argv, optopt));
			return 1;
		} else if (opt == ':') {
			*status = ctl_usage_error(c, "%s needs a value", written_option(argv, optopt));
			return 1;
		} else {
			for (unsigned i = 0; i < n; i++)
				if (c->options[i].letter == opt)
					a->value[i] = optarg ? optarg : "";
		}
	}
	for (unsigned i = 0; i < n; i++) {
		if (c->options[i].required && !a->value[i]) {
			*status = ctl_usage_error(c, "--%s %s is needed", c->options[i].name,
						  c->options[i].arg);
			return 1;
		}
	}
	a->argc = argc - optind;
	a->argv = argv + optind;
	if (a->argc < c->min_args) {
		*status = ctl_usage_error(c, "missing %s", c->args);
		return 1;
	}
	if (a->argc > c->max_args) {
		*status = ctl_usage_error(c, "unexpected argument \"%s\"", a->argv[c->max_args]);
		return 1;
	}
	if (a->argc > 0 && args_are_words(c->args) && !args_allow(c->args, a->argv[0])) {
		*status = ctl_usage_error(c, "\"%s\" is not one of %s", a->argv[0], c->args);
		return 1;
	}
	return 0;
}

const char *ctl_value(const struct ctl_command *c, const struct ctl_args *a, const char *name)
{
	for (unsigned i = 0; i < n_options(c); i++)
		if (!strcmp(c->options[i].name, name))
			return a->value[i];
	return NULL;
}

/* "name [-p FILE] [--client IP] [--json|--prometheus] ARGS": its width. */
static int synopsis(FILE *f, const struct ctl_command *c)
{
	int w = fprintf(f, "%s", c->name);

	for (unsigned i = 0; i < n_options(c); i++) {
		const struct ctl_option *o = &c->options[i];

		const char *open = o->required ? "" : "[", *close = o->required ? "" : "]";

		if (o->letter)
			w += fprintf(f, " %s-%c%s%s%s", open, o->letter, o->arg ? " " : "",
				     o->arg ? o->arg : "", close);
		else
			w += fprintf(f, " %s--%s%s%s%s", open, o->name, o->arg ? " " : "",
				     o->arg ? o->arg : "", close);
	}
	if (c->formats)
		w += fprintf(f, " [%s%s%s]", c->formats & 1u << OUT_JSON ? "--json" : "",
			     c->formats == (1u << OUT_JSON | 1u << OUT_PROMETHEUS) ? "|" : "",
			     c->formats & 1u << OUT_PROMETHEUS ? "--prometheus" : "");
	if (*c->args)
		w += fprintf(f, c->min_args ? " %s" : " [%s]", c->args);
	return w;
}

/* HELP's lines from column HELP_COL, the first after W columns already written. */
static void help_lines(FILE *f, int w, const char *help)
{
	for (const char *h = help; *h;) {
		size_t n = strcspn(h, "\n");

		if (w >= HELP_COL) {
			fputc('\n', f);
			w = 0;
		}
		fprintf(f, "%*s%.*s", HELP_COL - w, "", (int)n, h);
		w = HELP_COL;
		h += n + (h[n] == '\n');
	}
	fputc('\n', f);
}

void ctl_usage(FILE *f)
{
	fprintf(f, "usage: urlctl [-s SOCKET] COMMAND ...\n");
	for (unsigned i = 0; i < ctl_n_commands; i++) {
		fprintf(f, "  ");
		help_lines(f, 2 + synopsis(f, &ctl_commands[i]), ctl_commands[i].help);
	}
	help_lines(f, fprintf(f, "  -s, --socket SOCKET"), "the daemon's control socket\n"
		   "(default " CTL_SOCKET_DEFAULT ")");
	help_lines(f, fprintf(f, "  -V, --version"), "urlctl's version");
	help_lines(f, fprintf(f, "  COMMAND --help"), "the command's options");
	fprintf(f, "exit status: 0 success, 1 failure or invalid policy, 2 usage error,\n"
		"3 daemon not reachable\n");
}

void ctl_command_help(FILE *f, const struct ctl_command *c)
{
	fprintf(f, "usage: urlctl ");
	synopsis(f, c);
	fprintf(f, "\n%s\n", c->help);
	for (unsigned i = 0; i < n_options(c); i++) {
		const struct ctl_option *o = &c->options[i];
		int w = o->letter ? fprintf(f, "  -%c, ", o->letter) : fprintf(f, "      ");

		w += fprintf(f, "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
		help_lines(f, w, o->help);
	}
	if (c->formats & 1u << OUT_JSON)
		help_lines(f, fprintf(f, "      --json"), "one JSON document");
	if (c->formats & 1u << OUT_PROMETHEUS)
		help_lines(f, fprintf(f, "      --prometheus"), "the Prometheus text format");
	help_lines(f, fprintf(f, "      --help"), "this text");
}

/* A value completion cannot list: file names (<FILE>) or anything (<>). */
static const char *placeholder(const char *name, size_t len)
{
	return len == 4 && !strncmp(name, "FILE", 4) ? "<FILE>" : "<>";
}

/* An argument's alternatives for completion: words as they are, placeholders, commands. */
static void words_of(FILE *f, const char *args)
{
	for (const char *p = args; *p;) {
		size_t len = strcspn(p, "|");

		if (len == 7 && !strncmp(p, "COMMAND", 7))
			for (unsigned i = 0; i < ctl_n_commands; i++)
				fprintf(f, " %s", ctl_commands[i].name);
		else if (isupper((unsigned char)*p))
			fprintf(f, " %s", placeholder(p, len));
		else
			fprintf(f, " %.*s", (int)len, p);
		p += len + (p[len] == '|');
	}
}

/*
 * Lines "OPTION [PLACEHOLDER] [WORD ...]" (an option with anything after it
 * takes a value) and ": [PLACEHOLDER] [WORD ...]" for the first argument;
 * the placeholder <FILE> stands for file names, <> for any other value.
 */
void ctl_words(FILE *f, const struct ctl_command *c)
{
	if (!c) {
		fprintf(f, "-s <FILE>\n--socket <FILE>\n-h\n--help\n-V\n--version\n:");
		for (unsigned i = 0; i < ctl_n_commands; i++)
			fprintf(f, " %s", ctl_commands[i].name);
		fputc('\n', f);
		return;
	}
	for (unsigned i = 0; i < n_options(c); i++) {
		const struct ctl_option *o = &c->options[i];

		for (int spelling = 0; spelling < 2; spelling++) {
			if (spelling == 0 && !o->letter)
				continue;
			if (spelling == 0)
				fprintf(f, "-%c", o->letter);
			else
				fprintf(f, "--%s", o->name);
			if (o->arg)
				fprintf(f, " %s", placeholder(o->arg, strlen(o->arg)));
			if (o->words)
				fprintf(f, " %s", o->words);
			fputc('\n', f);
		}
	}
	if (c->formats & 1u << OUT_JSON)
		fprintf(f, "--json\n");
	if (c->formats & 1u << OUT_PROMETHEUS)
		fprintf(f, "--prometheus\n");
	fprintf(f, "--help\n");
	if (c->max_args > 0) {
		fputc(':', f);
		words_of(f, c->args);
		fputc('\n', f);
	}
}
