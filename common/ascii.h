/* ASCII case folding, the only folding PCRE2 does without UTF or locale
 * tables: every caseless comparison of the policy code goes through it, and
 * the parsers and URL normalization fold names with it too. */
#ifndef UE_ASCII_H
#define UE_ASCII_H

static inline unsigned char ascii_fold(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static inline char ascii_lower(char c)
{
	return (char)ascii_fold((unsigned char)c);
}

#endif
