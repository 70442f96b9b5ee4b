/*
 * The share of URLs that contain a string, estimated three ways, the
 * largest kept:
 *
 * - Bytes drawn independently: a URL of URL_BYTES bytes holds a string of
 *   n bytes about (URL_BYTES - n + 1) * f(c1) * ... * f(cn) times, where f
 *   is a byte's frequency in URL text (byte_per_mille below), and holds it
 *   at least once with probability 1 - e^-that. The frequencies are English
 *   letter frequencies scaled to the ~70% of URL bytes that are letters,
 *   with the letters of "http", "www" and ".com" raised, and the URL
 *   punctuation ('/' about one byte in twenty, '.', '-', ':', '=', '&',
 *   '?', '_', '%') and digits at the rates of typical request URLs (60-90
 *   bytes, two to five path segments, a short query). Independence makes
 *   every long string rare, which is right for names and wrong for the
 *   furniture every URL repeats, hence:
 * - URL furniture: schemes, "www.", the common top-level domains, file
 *   extensions, "index.", common path segments, each with the share of
 *   URLs that carry it. A string inside one of them is at least that
 *   common ("ttps" is in every https URL).
 * - A string made of furniture ("index.html", ".com/index.php") is taken
 *   to be as common as its rarest piece: the pieces go together.
 * All three are coarse; what matters is the order they put literals in: a name
 * is rarer than ".com/", "ads" rarer than "ad", ".php" rarer than "/".
 */
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "policies/url_model.h"

#define URL_BYTES 64

static double byte_per_mille(unsigned char c)
{
	static const double letters[26] = {
		/* a */ 56, 10, 28, 29, 86, 15, 14, 35, 48, 1.5, 5, 27, 22,
		/* n */ 46, 51, 30, 0.7, 41, 43, 62, 19, 7, 25, 1.5, 14, 0.5,
	};

	if (c >= 'a' && c <= 'z')
		return letters[c - 'a'];
	if (c >= '0' && c <= '9')
		return c <= '2' ? 11 : 7;
	switch (c) {
	case '/': return 50;
	case '.': return 30;
	case '-': return 15;
	case ':': return 15;
	case '=': return 10;
	case '&': return 7;
	case '_': return 7;
	case '?': return 6;
	case '%': return 5;
	case '+': case ',': return 1;
	case '~': case ';': return 0.5;
	}
	return 0.05;
}

#define F(s, share) { s, sizeof(s) - 1, share }

static const struct {
	const char *s;
	size_t len;
	double share;
} furniture[] = {
	F("http", 1.0),           /* the url field starts with a scheme */
	F("https://www.", 0.3), F("http://www.", 0.2), F("https://", 0.6), F("http://", 0.4),
	F("://", 1.0), F("://www.", 0.5), F("www.", 0.5),
	F(".com", 0.5), F(".net", 0.08), F(".org", 0.06), F(".de", 0.04),
	F(".co.uk", 0.02), F(".io", 0.02), F(".ru", 0.02),
	F(".html", 0.12), F(".php", 0.06), F(".js", 0.08), F(".css", 0.04),
	F(".png", 0.05), F(".jpg", 0.05), F(".gif", 0.02), F(".aspx", 0.02),
	F(".json", 0.02), F("index.", 0.04),
	F("/api/", 0.04), F("/static/", 0.03), F("/images/", 0.03), F("/img/", 0.03),
	F("/wp-content/", 0.03), F("/assets/", 0.03), F("/search", 0.02),
	F("?id=", 0.03), F("utm_", 0.03),
};

#define FURNITURE_MAX 12       /* the longest string above */
#define COVER_MAX 32           /* longer literals are never all furniture */

/* The share of the commonest furniture string that contains S (0: none). */
static double furniture_share(const char *s, size_t len)
{
	double share = 0;

	for (size_t i = 0; i < sizeof(furniture) / sizeof(furniture[0]); i++)
		if (furniture[i].share > share && furniture[i].len >= len &&
		    memmem(furniture[i].s, furniture[i].len, s, len))
			share = furniture[i].share;
	return share;
}

static bool is_separator(char c)
{
	return strchr("/.-_?=&", c) != NULL;
}

/*
 * S made of furniture pieces (3 bytes or more, but at its ends) and
 * separators, such as "index.html", ".com/index.php" or "/index.h": as
 * common as its rarest piece, the pieces going together. 0 when S is not made so. cover[j]: the best share
 * of such a reading of S's first j bytes, 0 if there is none.
 */
static double furniture_cover(const char *s, size_t len)
{
	double cover[COVER_MAX + 1] = { 1 };

	if (len > COVER_MAX)
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (!cover[i])
			continue;
		if (is_separator(s[i]) && cover[i] > cover[i + 1])
			cover[i + 1] = cover[i];
		for (size_t j = i + 1; j <= len && j - i <= FURNITURE_MAX; j++) {
			double piece = furniture_share(s + i, j - i);

			if (!piece)
				break;          /* nor is any longer piece from i */
			/* a piece cut by S's ends may be short: ".h" of ".html" */
			if ((j - i < 3 && i && j < len) || fmin(cover[i], piece) <= cover[j])
				continue;
			cover[j] = fmin(cover[i], piece);
		}
	}
	return cover[len];
}

double url_share(const char *s, size_t len)
{
	double expected = len <= URL_BYTES ? URL_BYTES - len + 1 : 1;
	double share, f;

	for (size_t i = 0; i < len; i++)
		expected *= byte_per_mille((unsigned char)s[i]) / 1000;
	share = -expm1(-expected);
	if (len <= FURNITURE_MAX && (f = furniture_share(s, len)) > share)
		share = f;
	if ((f = furniture_cover(s, len)) > share)
		share = f;
	return share;
}
